"""Alert outbox rows and the stored round-robin turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from storage.dialect import insert_ignoring_conflicts
from storage.models import Alert, RoutingTurn

TURNS = RoutingTurn.__table__  # type: ignore[attr-defined]
ALERTS = Alert.__table__  # type: ignore[attr-defined]
_NEW_ALERT = ALERTS.insert().returning(ALERTS.c.id)


def take_turn(*, session: Session, route_key: str, size: int) -> int:
    """Whose turn it is (0..size-1) in a route's rotation, advancing it atomically.

    The row is updated in place, so replicas and restarts share one rotation.
    """
    session.execute(
        insert_ignoring_conflicts(session, TURNS, index=["route_key"]),
        [{"route_key": route_key, "next_index": 0}],
    )
    row = session.execute(
        update(TURNS)
        .where(TURNS.c.route_key == route_key)
        .values(next_index=TURNS.c.next_index + 1)
        .returning(TURNS.c.next_index)
    ).scalar_one()
    return (int(row) - 1) % size


def create_alert(
    *,
    session: Session,
    lead_id: int,
    cycle: int,
    channel: str,
    assignee: str | None,
    score: float,
    now: datetime,
) -> int:
    """Queue an alert in the outbox; its id. Committed with the score change that caused it.

    A Core insert, not an ORM object: a flush per alert was a tenth of the
    time of a webhook batch in which many leads turn hot.
    """
    values = {
        "alert_key": f"lead-{lead_id}-cycle-{cycle}",
        "lead_id": lead_id,
        "channel": channel,
        "assignee": assignee,
        "score": score,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    return int(session.execute(_NEW_ALERT, values).scalar_one())
