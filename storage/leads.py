"""Lead rows as the ingest path and the rescoring job read and write them.

The ingest path works on plain ``LeadState`` objects (Core rows, not ORM
instances) because a 500-event batch must be handled in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from storage.bulk import BulkQuery, BulkStatement, FreeIds
from storage.dialect import is_postgres_session
from storage.models import Lead

LEADS = Lead.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
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
    fit_hits: str | None = None
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
    behavior_tally: list[Any] | None = None
    account_id: int | None = None
    # The profile as read, so that saving a lead whose profile the batch did
    # not change (most events are activities) writes only the score columns:
    # no JSON to encode, no company index to rewrite.
    _stored_profile: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)
    _created: bool = field(default=False, repr=False, compare=False)
    # Created in memory with an id of its own; ``save_leads`` inserts it (SQLite).
    _unsaved: bool = field(default=False, repr=False, compare=False)
    # The rule-set version and profile ``fit_hits`` were last evaluated for in
    # this transaction (``bot.ingest.heat.current_fit_flags``): a deal's entry
    # and the rescore after it share one evaluation of the fit rules.
    fit_evaluated_for: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def is_new(self) -> bool:
        """Created by this transaction, so it has no stored history yet (known on SQLite)."""
        return self._created

    @property
    def profile_changed(self) -> bool:
        """Whether a profile field, attribute or field time differs from what was read."""
        return self._stored_profile != self._profile()

    def _profile(self) -> tuple[Any, ...]:
        return _read_profile(self)  # type: ignore[no-any-return]


_PROFILE_COLUMNS = (
    "name", "title", "company", "company_key", "company_size", "industry", "country", "region",
)  # fmt: skip
_read_profile = attrgetter(*_PROFILE_COLUMNS, "attributes", "field_times")


_TRANSIENT = {"fit_evaluated_for"}
_COLUMNS = [
    f.name for f in fields(LeadState) if not f.name.startswith("_") and f.name not in _TRANSIENT
]


_SELECTED = [LEADS.c[name] for name in _COLUMNS]
_BY_EMAIL = BulkQuery(
    lambda emails: select(*_SELECTED).where(LEADS.c.email.in_(emails)).order_by(LEADS.c.email)
)
_BY_EMAIL_LOCKED = BulkQuery(
    lambda emails: (
        select(*_SELECTED)
        .where(LEADS.c.email.in_(emails))
        .order_by(LEADS.c.email)
        .with_for_update()
    )
)
_NEW_COLUMNS = (
    "email", "created_at", "attributes", "field_times", "fit", "behavior_decaying",
    "behavior_fixed", "behavior", "score", "band", "alert_armed", "alert_cycle",
)  # fmt: skip
_INSERT_MISSING = BulkStatement(
    postgresql.insert(LEADS)
    .on_conflict_do_nothing(index_elements=["email"])
    .values({column: bindparam(column) for column in _NEW_COLUMNS})
)
_INSERT_WHOLE = BulkStatement(LEADS.insert().values({name: bindparam(name) for name in _COLUMNS}))
_FREE_IDS = FreeIds(LEADS)
_SAVED_COLUMNS = [name for name in _COLUMNS if name not in ("id", "email", "created_at")]
_SCORE_COLUMNS = [
    name for name in _SAVED_COLUMNS if name not in (*_PROFILE_COLUMNS, "attributes", "field_times")
]


def _update(columns: list[str]) -> BulkStatement:
    return BulkStatement(
        update(LEADS)
        .where(LEADS.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in columns})
    )


_SAVE = _update(_SAVED_COLUMNS)
_SAVE_SCORES = _update(_SCORE_COLUMNS)
_BY_ID = {"_id": "id"}
"""The UPDATEs' WHERE parameter is the lead's ``id``."""


def _state(row: Any) -> LeadState:
    lead = LeadState(*row)
    lead.attributes = lead.attributes or {}
    lead.field_times = lead.field_times or {}
    lead._stored_profile = lead._profile()
    lead.attributes, lead.field_times = dict(lead.attributes), dict(lead.field_times)
    return lead


def lock_leads(*, session: Session, emails: Iterable[str], now: datetime) -> dict[str, LeadState]:
    """Create the leads that do not exist yet, then lock and return all of them.

    Rows are locked in email order (``FOR UPDATE`` on PostgreSQL) so two
    replicas scoring the same leads serialise instead of losing an update or
    deadlocking. Existing leads are read first and only the missing ones are
    inserted, since most events are about leads already known.
    """
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    postgres = is_postgres_session(session)
    found = _select(session, wanted, lock=postgres)
    missing = [email for email in wanted if email not in found]
    if missing and postgres:
        # Another replica may insert the same lead at any moment: insert, and
        # lock what is there (its events may already be stored with it).
        _INSERT_MISSING.execute(session, [_new_lead(email, now) for email in missing])
        found.update(_select(session, missing, lock=True))
    elif missing:
        found.update(_new_states(session, missing, now))
    return {email: found[email] for email in wanted}


def _new_states(session: Session, emails: list[str], now: datetime) -> dict[str, LeadState]:
    """New leads as working copies with ids of their own, written later by ``save_leads``.

    On SQLite the write transaction (``BEGIN IMMEDIATE``) excludes every other
    writer, so the ids after the largest stored one are free, and each new
    lead is written once, with its score, instead of inserted empty, read
    back and then updated. Nothing refers to a lead row before the commit.
    """
    created: dict[str, LeadState] = {}
    for lead_id, email in zip(_FREE_IDS.take(session, len(emails)), emails, strict=True):
        lead = LeadState(**_new_lead(email, now), id=lead_id)
        lead._created = lead._unsaved = True
        lead._stored_profile = lead._profile()
        created[email] = lead
    return created


def _select(session: Session, emails: list[str], *, lock: bool) -> dict[str, LeadState]:
    query = _BY_EMAIL_LOCKED if lock else _BY_EMAIL
    found: dict[str, LeadState] = {}
    for row in query.fetch(session, emails):
        lead = _state(row)
        found[lead.email] = lead
    return found


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
    *,
    session: Session,
    after_id: int,
    limit: int,
    lock: bool = False,
    not_version: int | None = None,
) -> list[LeadState]:
    """A page of leads in id order, for batched rescoring (locked when ``lock``).

    ``not_version`` leaves out the leads already scored with that rule set version.
    """
    query = (
        select(*[LEADS.c[name] for name in _COLUMNS])
        .where(LEADS.c.id > after_id)
        .order_by(LEADS.c.id)
        .limit(limit)
    )
    if not_version is not None:
        query = query.where(LEADS.c.rule_set_version.is_distinct_from(not_version))
    if lock and is_postgres_session(session):
        query = query.with_for_update()
    return [_state(row) for row in session.execute(query)]


def save_leads(*, session: Session, leads: Sequence[LeadState]) -> None:
    """Write the working copies back, in one executemany UPDATE per shape.

    Leads whose profile (fields, attributes, field times) is as read get
    only their score columns written; leads created in memory are inserted.
    """
    new: list[LeadState] = []
    full: list[LeadState] = []
    scores: list[LeadState] = []
    for lead in leads:
        (new if lead._unsaved else full if lead.profile_changed else scores).append(lead)
    _INSERT_WHOLE.execute_objects(session, new)
    for lead in new:
        lead._unsaved = False
    _SAVE.execute_objects(session, full, _BY_ID)
    _SAVE_SCORES.execute_objects(session, scores, _BY_ID)
