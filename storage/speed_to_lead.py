"""What the speed-to-lead section reads: closed deals with their lead's alert, and claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlmodel import Session

from storage.models import Alert, PipelineEntry

ALERTS = Alert.__table__  # type: ignore[attr-defined]
ENTRIES = PipelineEntry.__table__  # type: ignore[attr-defined]


def alerted_deals(
    *, session: Session, start: datetime, end: datetime
) -> list[tuple[float, bool, datetime | None, datetime | None]]:
    """``(entry score, won, alert sent, claimed)`` for deals closed in [start, end) whose lead
    was alerted before the deal closed (its first such lead alert)."""
    first_alert = (
        select(ALERTS.c.lead_id, func.min(ALERTS.c.id).label("alert_id"))
        .where(ALERTS.c.account_id.is_(None), ALERTS.c.sent_at.is_not(None))
        .group_by(ALERTS.c.lead_id)
        .subquery()
    )
    query = (
        select(ENTRIES.c.score, ENTRIES.c.outcome, ALERTS.c.sent_at, ALERTS.c.claimed_at)
        .join(first_alert, first_alert.c.lead_id == ENTRIES.c.lead_id)
        .join(ALERTS, and_(ALERTS.c.id == first_alert.c.alert_id))
        .where(
            ENTRIES.c.closed_at >= start,
            ENTRIES.c.closed_at < end,
            ENTRIES.c.outcome.is_not(None),
            ALERTS.c.sent_at < ENTRIES.c.closed_at,
        )
    )
    return [
        (float(score), outcome == "won", sent, claimed)
        for score, outcome, sent, claimed in session.execute(query)
    ]


def claim_times(*, session: Session, start: datetime, end: datetime) -> list[tuple[str, float]]:
    """``(rep, minutes from alert to claim)`` of the lead alerts claimed in [start, end)."""
    query = select(ALERTS.c.claimed_by, ALERTS.c.sent_at, ALERTS.c.claimed_at).where(
        ALERTS.c.claimed_at >= start,
        ALERTS.c.claimed_at < end,
        ALERTS.c.sent_at.is_not(None),
        ALERTS.c.account_id.is_(None),
    )
    return [
        (str(rep), max(0.0, (claimed - sent).total_seconds() / 60))
        for rep, sent, claimed in session.execute(query)
    ]
