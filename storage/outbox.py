"""Delivering queued alerts: claiming due rows, and recording how each attempt ended.

A row is claimed by moving its ``next_attempt_at`` a lease into the future in
the transaction that found it due, with the row locked (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), so two
replicas (or the sender thread and the scheduler's sweep) never hold the same
alert at once; a process that dies mid-attempt simply lets the lease run out.
``attempts`` is counted at the claim, so ``attempts > 1`` means an earlier
attempt may have reached Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from storage.dialect import pick_unlocked_ids
from storage.models import Alert, Lead

ALERTS = Alert.__table__  # type: ignore[attr-defined]
LEADS = Lead.__table__  # type: ignore[attr-defined]


def claim_due(*, session: Session, now: datetime, lease: timedelta, limit: int = 1) -> list[Alert]:
    """Take up to ``limit`` due alerts for ``lease``; nobody else gets them meanwhile."""
    due = ALERTS.c.status == "pending", ALERTS.c.next_attempt_at <= now
    pick = select(ALERTS.c.id).where(*due).order_by(ALERTS.c.next_attempt_at, ALERTS.c.id)
    ids = pick_unlocked_ids(session, pick.limit(limit))
    if not ids:
        return []
    statement = (
        update(ALERTS)
        .where(ALERTS.c.id.in_(ids), *due)
        .values(attempts=ALERTS.c.attempts + 1, next_attempt_at=now + lease)
        .returning(*ALERTS.c)
    )
    return [Alert(**row._mapping) for row in session.execute(statement)]


def mark_sent(*, session: Session, alert_id: int, message_ts: str, now: datetime) -> None:
    session.execute(
        update(ALERTS)
        .where(ALERTS.c.id == alert_id)
        .values(
            status="sent", message_ts=message_ts, sent_at=now, next_attempt_at=None, last_error=None
        )
    )


def schedule_retry(*, session: Session, alert_id: int, at: datetime, error: str) -> None:
    session.execute(
        update(ALERTS)
        .where(ALERTS.c.id == alert_id, ALERTS.c.status == "pending")
        .values(next_attempt_at=at, last_error=error[:1000])
    )


def mark_failed(*, session: Session, alert_id: int, error: str) -> None:
    """Give up on an alert Slack will never accept; it stays visible as failed."""
    session.execute(
        update(ALERTS)
        .where(ALERTS.c.id == alert_id)
        .values(status="failed", next_attempt_at=None, last_error=error[:1000])
    )


def next_due_at(*, session: Session) -> datetime | None:
    """When the earliest pending alert is due (the sender sleeps until then)."""
    statement = select(func.min(ALERTS.c.next_attempt_at)).where(ALERTS.c.status == "pending")
    value: datetime | None = session.execute(statement).scalar_one_or_none()
    return value


@dataclass(frozen=True)
class FailedGroup:
    """Failed alerts sharing a channel and an error, for the managers' summary."""

    channel: str
    error: str
    count: int
    latest_at: datetime


def failed_groups(*, session: Session) -> list[FailedGroup]:
    """Failed alerts grouped by channel and error, most numerous first."""
    statement = (
        select(
            ALERTS.c.channel,
            ALERTS.c.last_error,
            func.count(),
            func.max(ALERTS.c.created_at),
        )
        .where(ALERTS.c.status == "failed")
        .group_by(ALERTS.c.channel, ALERTS.c.last_error)
        .order_by(func.count().desc(), ALERTS.c.channel)
    )
    return [
        FailedGroup(channel, error or "unknown error", int(count), latest)
        for channel, error, count, latest in session.execute(statement)
    ]
