"""Lead rows as the ingest path and the rescoring job read and write them.

The ingest path works on plain ``LeadState`` objects (Core rows, not ORM
instances) because a 500-event batch must be handled in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from storage.dialect import insert_ignoring_conflicts, is_postgres_session
from storage.models import Lead

LEADS = Lead.__table__  # type: ignore[attr-defined]


@dataclass
class LeadState:
    """A working copy of one ``leads`` row."""

    id: int
    email: str
    created_at: datetime
    name: str | None = None
    title: str | None = None
    company: str | None = None
    company_key: str | None = None
    company_size: int | None = None
    industry: str | None = None
    country: str | None = None
    region: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    field_times: dict[str, Any] = field(default_factory=dict)
    fit: float = 0.0
    behavior_decaying: float = 0.0
    behavior_fixed: float = 0.0
    behavior: float = 0.0
    score: float = 0.0
    band: str = "cold"
    last_activity_at: datetime | None = None
    scored_at: datetime | None = None
    rule_set_version: int | None = None
    alert_armed: bool = True
    alert_cycle: int = 0
    deal_stage: str | None = None
    deal_updated_at: datetime | None = None


_COLUMNS = [f.name for f in fields(LeadState)]


def _state(row: Any) -> LeadState:
    data = dict(row._mapping)
    data["attributes"] = dict(data["attributes"] or {})
    data["field_times"] = dict(data["field_times"] or {})
    return LeadState(**data)


def lock_leads(*, session: Session, emails: Iterable[str], now: datetime) -> dict[str, LeadState]:
    """Create the leads that do not exist yet, then lock and return all of them.

    Rows are locked in email order (``FOR UPDATE`` on PostgreSQL) so two
    replicas scoring the same leads serialise instead of losing an update or
    deadlocking.
    """
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    session.execute(
        insert_ignoring_conflicts(session, LEADS, index=["email"]),
        [_new_lead(email, now) for email in wanted],
    )
    query = select(*[LEADS.c[name] for name in _COLUMNS]).where(LEADS.c.email.in_(wanted))
    query = query.order_by(LEADS.c.email)
    if is_postgres_session(session):
        query = query.with_for_update()
    return {row.email: _state(row) for row in session.execute(query)}


def _new_lead(email: str, now: datetime) -> dict[str, Any]:
    return {
        "email": email,
        "created_at": now,
        "attributes": {},
        "field_times": {},
        "fit": 0.0,
        "behavior_decaying": 0.0,
        "behavior_fixed": 0.0,
        "behavior": 0.0,
        "score": 0.0,
        "band": "cold",
        "alert_armed": True,
        "alert_cycle": 0,
    }


def load_leads(
    *, session: Session, after_id: int, limit: int, lock: bool = False
) -> list[LeadState]:
    """A page of leads in id order, for batched rescoring (locked when ``lock``)."""
    query = (
        select(*[LEADS.c[name] for name in _COLUMNS])
        .where(LEADS.c.id > after_id)
        .order_by(LEADS.c.id)
        .limit(limit)
    )
    if lock and is_postgres_session(session):
        query = query.with_for_update()
    return [_state(row) for row in session.execute(query)]


def save_leads(*, session: Session, leads: Sequence[LeadState]) -> None:
    """Write the working copies back in one executemany UPDATE."""
    if not leads:
        return
    columns = [name for name in _COLUMNS if name not in ("id", "email", "created_at")]
    statement = (
        update(LEADS)
        .where(LEADS.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in columns})
    )
    rows = []
    for lead in leads:
        data = {name: getattr(lead, name) for name in columns}
        data["_id"] = lead.id
        rows.append(data)
    session.connection().execute(statement, rows)
