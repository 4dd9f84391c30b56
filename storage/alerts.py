"""Alert outbox rows and the stored round-robin turns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.bulk import BulkStatement, FreeIds, Query
from storage.dialect import is_postgres_session
from storage.models import Alert, RoutingTurn

TURNS = RoutingTurn.__table__  # type: ignore[attr-defined]
ALERTS = Alert.__table__  # type: ignore[attr-defined]


def _advance(dialect: Any) -> Query:
    """Add ``n`` to a route's turn, creating its row at ``n``; the new value."""
    insert = dialect.insert(TURNS).values(
        route_key=bindparam("route_key"), next_index=bindparam("n")
    )
    return Query(
        insert.on_conflict_do_update(
            index_elements=["route_key"],
            set_={"next_index": TURNS.c.next_index + insert.excluded.next_index},
        ).returning(TURNS.c.next_index)
    )


_ADVANCE = {"sqlite": _advance(sqlite), "postgresql": _advance(postgresql)}
_ALERT_COLUMNS = (
    "id", "alert_key", "lead_id", "channel", "assignee", "score", "status", "attempts",
    "next_attempt_at", "created_at", "assigned_at", "routing", "account_id", "reassignments",
)  # fmt: skip
_INSERT_NUMBERED = BulkStatement(
    ALERTS.insert().values({name: bindparam(name) for name in _ALERT_COLUMNS})
)
_INSERT_RETURNING = ALERTS.insert().returning(ALERTS.c.id, sort_by_parameter_order=True)
_FREE_IDS = FreeIds(ALERTS)


def take_turns(*, session: Session, rotations: Sequence[tuple[str, int]]) -> list[int]:
    """Whose turn (0..size-1) each of a batch's alerts is, given ``(route_key, size)`` in order.

    The same turns as taking them one alert at a time, with one statement per
    route: its row is advanced in place by the route's number of alerts, so
    replicas and restarts share one rotation (on PostgreSQL the row stays
    locked until the commit). Routes are advanced in key order, so two
    replicas locking the same routes queue instead of deadlocking.
    """
    counts = Counter(key for key, _ in rotations)
    upsert = _ADVANCE["postgresql" if is_postgres_session(session) else "sqlite"]
    taken: dict[str, int] = {}
    for key in sorted(counts):
        ((advanced,),) = upsert.fetch(session, route_key=key, n=counts[key])
        taken[key] = int(advanced) - counts[key]  # the batch's turns start where the last ended
    turns: list[int] = []
    for key, size in rotations:
        turns.append(taken[key] % size)
        taken[key] += 1
    return turns


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert to queue: which lead, in which heat cycle, to whom, at what score."""

    lead_id: int
    cycle: int
    channel: str
    assignee: str | None
    score: float
    routing: dict[str, Any] | None = None
    account_id: int | None = None
    key: str | None = None
    """``alert_key``; lead alerts are keyed by lead and heat cycle when it is not given."""


def create_alerts(*, session: Session, alerts: Sequence[NewAlert], now: datetime) -> list[int]:
    """Queue alerts in the outbox; their ids, in the order given.

    Committed with the score changes that caused them. One statement for the
    batch: a statement per alert was a tenth of the time of a webhook batch in
    which many leads turn hot.
    """
    if not alerts:
        return []
    rows = [_row(alert, now) for alert in alerts]
    if is_postgres_session(session):
        # Another replica may insert at the same moment: the database numbers the rows.
        return [int(i) for i in session.execute(_INSERT_RETURNING, rows).scalars()]
    return _insert_numbered(session, rows)


def _insert_numbered(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Rows given the ids SQLite would give them (``FreeIds``), inserted by one executemany."""
    ids = list(_FREE_IDS.take(session, len(rows)))
    _INSERT_NUMBERED.execute(session, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def _row(alert: NewAlert, now: datetime) -> dict[str, Any]:
    return {
        "alert_key": alert.key or f"lead-{alert.lead_id}-cycle-{alert.cycle}",
        "lead_id": alert.lead_id,
        "channel": alert.channel,
        "assignee": alert.assignee,
        "score": alert.score,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "assigned_at": None,
        "routing": alert.routing,
        "account_id": alert.account_id,
        "reassignments": 0,
    }
