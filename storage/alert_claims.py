"""What SDRs do with a posted alert: claim it, dismiss it, snooze it; and escalation.

Every change is one conditional UPDATE whose WHERE says what must still be
true (nobody claimed it yet, not escalated yet...), so two clicks or two
replicas racing on the same alert cannot both win: the loser sees zero rows
changed and can tell the user what happened instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Update, func, or_, select, update
from sqlmodel import Session

from storage.dialect import pick_unlocked_ids
from storage.models import Alert

ALERTS = Alert.__table__  # type: ignore[attr-defined]
_OPEN = (ALERTS.c.claimed_by.is_(None), ALERTS.c.dismissed_at.is_(None))


def _changed(session: Session, statement: Update) -> bool:
    """True when the conditional UPDATE changed a row (the click won)."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return bool(result.rowcount)


def claim_alert(*, session: Session, alert_id: int, user_id: str, now: datetime) -> bool:
    """Make ``user_id`` the owner; False when someone claimed or dismissed it first."""
    statement = (
        update(ALERTS)
        .where(ALERTS.c.id == alert_id, *_OPEN)
        .values(claimed_by=user_id, claimed_at=now)
    )
    return _changed(session, statement)


def dismiss_alert(
    *, session: Session, alert_id: int, user_id: str, reason: str, now: datetime
) -> bool:
    """Record "not a fit" (calibration feedback); the claimer or anyone before a claim may."""
    statement = (
        update(ALERTS)
        .where(
            ALERTS.c.id == alert_id,
            ALERTS.c.dismissed_at.is_(None),
            or_(ALERTS.c.claimed_by.is_(None), ALERTS.c.claimed_by == user_id),
        )
        .values(dismissed_by=user_id, dismissed_reason=reason[:200], dismissed_at=now)
    )
    return _changed(session, statement)


def snooze_alert(*, session: Session, alert_id: int, user_id: str, until: datetime) -> bool:
    """Hold escalation until ``until``; only an open (unclaimed, not dismissed) alert."""
    statement = (
        update(ALERTS)
        .where(ALERTS.c.id == alert_id, *_OPEN)
        .values(snoozed_by=user_id, snoozed_until=until)
    )
    return _changed(session, statement)


def release_escalation(*, session: Session, alert_id: int) -> None:
    """Undo a taken ``@here`` whose reply could not be posted, so a later sweep retries."""
    session.execute(update(ALERTS).where(ALERTS.c.id == alert_id).values(escalated_at=None))


def _overdue(now: datetime, due_before: datetime) -> tuple[Any, ...]:
    return (
        ALERTS.c.status == "sent",
        ALERTS.c.escalated_at.is_(None),
        ALERTS.c.account_id.is_(None),  # account alerts are a heads-up, not a lead to page for
        func.coalesce(ALERTS.c.assigned_at, ALERTS.c.sent_at) <= due_before,
        or_(ALERTS.c.snoozed_until.is_(None), ALERTS.c.snoozed_until <= now),
        *_OPEN,
    )


def pick_overdue(
    *, session: Session, now: datetime, due_before: datetime, limit: int = 100
) -> list[Alert]:
    """Open alerts whose current assignee has had them since before ``due_before``.

    Locked on PostgreSQL (``SKIP LOCKED``: another replica moves on to other
    alerts) until the transaction ends; each step is then taken with a
    conditional UPDATE (``take_reassignment``/``take_escalation``), so it is
    recorded once across replicas on SQLite too.
    """
    pick = (
        select(ALERTS.c.id)
        .where(*_overdue(now, due_before))
        .order_by(ALERTS.c.sent_at)
        .limit(limit)
    )
    ids = pick_unlocked_ids(session, pick)
    if not ids:
        return []
    rows = session.execute(select(ALERTS).where(ALERTS.c.id.in_(ids)).order_by(ALERTS.c.id))
    return [Alert(**row._mapping) for row in rows]


def take_reassignment(
    *,
    session: Session,
    alert_id: int,
    done: int,
    assignee: str,
    routing: dict[str, Any],
    now: datetime,
) -> bool:
    """Record reassignment number ``done + 1``; False when another sweep already took it."""
    statement = (
        update(ALERTS)
        .where(*_step_open(alert_id, done))
        .values(reassignments=done + 1, assignee=assignee, routing=routing, assigned_at=now)
    )
    return _changed(session, statement)


def _step_open(alert_id: int, done: int) -> tuple[Any, ...]:
    """The alert is still open and still at step ``done`` (no other sweep moved it on)."""
    return (
        ALERTS.c.id == alert_id,
        ALERTS.c.reassignments == done,
        ALERTS.c.escalated_at.is_(None),
        *_OPEN,
    )


def take_escalation(*, session: Session, alert_id: int, done: int, now: datetime) -> bool:
    """Record the final ``@here``; False when another sweep already took this step."""
    statement = update(ALERTS).where(*_step_open(alert_id, done)).values(escalated_at=now)
    return _changed(session, statement)


def release_reassignment(*, session: Session, before: Alert) -> None:
    """Undo a reassignment whose thread reply could not be posted (``before`` is the alert as
    it was), so a later sweep takes the step again."""
    session.execute(
        update(ALERTS)
        .where(ALERTS.c.id == before.id, ALERTS.c.reassignments == before.reassignments + 1)
        .values(
            reassignments=before.reassignments,
            assignee=before.assignee,
            routing=before.routing,
            assigned_at=before.assigned_at,
        )
    )
