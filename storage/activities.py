"""Activity history: what the scorer replays for each lead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from scoring.evaluate import ActivityRecord
from storage.bulk import BulkQuery, BulkStatement
from storage.models import Activity

ACTIVITIES = Activity.__table__  # type: ignore[attr-defined]


_COLUMNS = ("lead_id", "event_id", "kind", "url", "properties", "occurred_at")
_INSERT = BulkStatement(ACTIVITIES.insert().values({name: bindparam(name) for name in _COLUMNS}))
_HISTORY = BulkQuery(
    lambda ids: select(
        ACTIVITIES.c.lead_id,
        ACTIVITIES.c.kind,
        ACTIVITIES.c.occurred_at,
        ACTIVITIES.c.url,
        ACTIVITIES.c.properties,
    ).where(ACTIVITIES.c.lead_id.in_(ids))
)


def insert_activities(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store activities: dicts with lead_id, event_id, kind, url, properties, occurred_at."""
    _INSERT.execute(session, rows)


def history(*, session: Session, lead_ids: Iterable[int]) -> dict[int, list[ActivityRecord]]:
    """Every activity of these leads, oldest first, grouped by lead id."""
    found: dict[int, list[ActivityRecord]] = defaultdict(list)
    for lead_id, kind, occurred_at, url, properties in _HISTORY.fetch(session, list(set(lead_ids))):
        found[lead_id].append(ActivityRecord(kind, occurred_at, url, properties or {}))
    for records in found.values():
        records.sort(key=lambda a: a.occurred_at)
    return found


def recent(*, session: Session, lead_id: int, limit: int = 5) -> list[ActivityRecord]:
    """The latest activities of one lead, newest first (alerts and score cards)."""
    query = (
        select(
            ACTIVITIES.c.kind, ACTIVITIES.c.occurred_at, ACTIVITIES.c.url, ACTIVITIES.c.properties
        )
        .where(ACTIVITIES.c.lead_id == lead_id)
        .order_by(ACTIVITIES.c.occurred_at.desc())
        .limit(limit)
    )
    return [
        ActivityRecord(kind, at, url, properties or {})
        for kind, at, url, properties in session.execute(query)
    ]


def latest_time(records: Sequence[ActivityRecord]) -> datetime | None:
    return max((r.occurred_at for r in records), default=None)


def account_activities(
    *, session: Session, account_id: int, since: datetime, limit: int = 2_000
) -> list[tuple[int, ActivityRecord]]:
    """``(lead_id, activity)`` of the account's leads since ``since`` (account heat)."""
    from storage.models import Lead

    leads = Lead.__table__  # type: ignore[attr-defined]
    query = (
        select(
            ACTIVITIES.c.lead_id,
            ACTIVITIES.c.kind,
            ACTIVITIES.c.occurred_at,
            ACTIVITIES.c.url,
            ACTIVITIES.c.properties,
        )
        .join(leads, leads.c.id == ACTIVITIES.c.lead_id)
        .where(leads.c.account_id == account_id, ACTIVITIES.c.occurred_at >= since)
        .order_by(ACTIVITIES.c.occurred_at.desc())
        .limit(limit)
    )
    return [
        (lead_id, ActivityRecord(kind, at, url, properties or {}))
        for lead_id, kind, at, url, properties in session.execute(query)
    ]
