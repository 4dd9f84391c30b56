"""Queries behind a user's App Home: what they claimed, what is hot and unclaimed."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.lookup import latest_alerts, top_leads
from storage.models import Alert, Lead


def claimed_leads(*, session: Session, user_id: str, limit: int = 25) -> list[tuple[Lead, Alert]]:
    """Leads ``user_id`` claimed, most recent claim first, one row per lead."""
    query = (
        select(Lead, Alert)
        .join(Alert, col(Alert.lead_id) == col(Lead.id))
        .where(Alert.claimed_by == user_id)
        .order_by(col(Alert.claimed_at).desc(), col(Alert.id).desc())
        .limit(limit * 2)
    )
    found: dict[int, tuple[Lead, Alert]] = {}
    for lead, alert in session.exec(query):
        found.setdefault(alert.lead_id, (lead, alert))
    return list(found.values())[:limit]


def unclaimed_hot_leads(
    *, session: Session, min_score: float, limit: int = 15, scan: int = 500
) -> list[tuple[Lead, Alert | None]]:
    """The best hot leads whose latest alert nobody claimed or dismissed.

    Reads the ranking in pages (index on score) so a team that claims
    everything costs at most ``scan`` rows, never a scan of all leads.
    """
    kept: list[tuple[Lead, Alert | None]] = []
    page = max(limit * 2, 50)
    for offset in range(0, scan, page):
        leads = top_leads(session=session, limit=page, min_score=min_score, offset=offset)
        alerts = latest_alerts(session=session, lead_ids=[lead.id or 0 for lead in leads])
        for lead in leads:
            alert = alerts.get(lead.id or 0)
            if alert is None or not (alert.claimed_by or alert.dismissed_by):
                kept.append((lead, alert))
                if len(kept) == limit:
                    return kept
        if len(leads) < page:
            break
    return kept
