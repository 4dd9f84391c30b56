"""What the buttons on a hot-lead alert do: Claim, Snooze 1 day and Not a fit.

These are the use cases behind the listeners in ``bot.listeners.actions``:
each takes the already-translated click (alert id, who clicked), owns its
transaction, redraws the alert when something changed and otherwise returns
what the clicker should hear privately. The first claim wins (a conditional
UPDATE, see ``storage.alert_claims``); a later click hears who has the lead and
nothing changes. A snooze holds the SLA escalation for 24 hours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.alerts.alert_view import refusal_text
from bot.alerts.drawing import AlertGone, load_alert, redraw_alert, reload_alert
from bot.alerts.not_fit import not_fit_modal
from bot.routing.claims import claim_and_own
from bot.services import Services
from storage.alert_claims import dismiss_alert, snooze_alert
from storage.engine import session_scope
from storage.models import Lead

log = logging.getLogger(__name__)
SNOOZE_FOR = timedelta(days=1)
GONE = "This alert is no longer there, so nothing changed."


def claim(
    services: Services, *, alert_id: int | None, user_id: str, clicked_ts: str | None = None
) -> str | None:
    """Claim the lead for ``user_id``; ``None`` when the alert was redrawn, else the refusal."""

    def change(session: Session, alert_id: int) -> bool:
        now = services.clock()
        return claim_and_own(services, session, alert_id=alert_id, user_id=user_id, now=now)

    return _act(services, alert_id, user_id, clicked_ts, change)


def snooze(
    services: Services, *, alert_id: int | None, user_id: str, clicked_ts: str | None = None
) -> str | None:
    """Hold the escalation for a day; ``None`` when the alert was redrawn, else the refusal."""

    def change(session: Session, alert_id: int) -> bool:
        until = services.clock() + SNOOZE_FOR
        return snooze_alert(session=session, alert_id=alert_id, user_id=user_id, until=until)

    return _act(services, alert_id, user_id, clicked_ts, change)


def _act(
    services: Services,
    alert_id: int | None,
    user_id: str,
    clicked_ts: str | None,
    change: Callable[[Session, int], bool],
) -> str | None:
    """Apply ``change`` atomically, then redraw, or say why nothing changed."""
    if alert_id is None:
        return GONE
    try:
        with session_scope(services.engine) as session:
            changed = change(session, alert_id)
        if changed:
            redraw_alert(services, alert_id, clicked_ts=clicked_ts)
            return None
        return refusal_text(reload_alert(services, alert_id), user_id)
    except AlertGone:
        return GONE


@dataclass(frozen=True)
class NotFitQuestion:
    """Either the reason modal to open or what to tell the clicker instead."""

    modal: dict[str, Any] | None = None
    refusal: str | None = None


def ask_not_fit(services: Services, *, alert_id: int | None, user_id: str) -> NotFitQuestion:
    """The reason modal, unless the lead is dismissed or someone else claimed it."""
    try:
        if alert_id is None:
            raise AlertGone("no alert id on the button")
        with session_scope(services.engine) as session:
            alert = load_alert(session, alert_id)
            lead = session.get(Lead, alert.lead_id)
            name = (lead.name or lead.email) if lead else "this lead"
    except AlertGone:
        return NotFitQuestion(refusal=GONE)
    if alert.dismissed_at is not None or alert.claimed_by not in (None, user_id):
        return NotFitQuestion(refusal=refusal_text(alert, user_id))
    return NotFitQuestion(modal=not_fit_modal(alert_id=alert_id, lead_name=name))


@dataclass(frozen=True)
class PrivateNote:
    """A message only ``user`` sees in ``channel`` (a modal has no response_url)."""

    channel: str
    user: str
    text: str


def record_not_fit(
    services: Services, *, alert_id: int, user_id: str, reason: str
) -> PrivateNote | None:
    """Store the dismissal as calibration feedback and redraw the alert.

    Returns the note for the submitter when someone else claimed the lead
    meanwhile; ``None`` when done or when the alert has vanished.
    """
    try:
        with session_scope(services.engine) as session:
            dismissed = dismiss_alert(
                session=session,
                alert_id=alert_id,
                user_id=user_id,
                reason=reason,
                now=services.clock(),
            )
        if dismissed:
            redraw_alert(services, alert_id)
            return None
        alert = reload_alert(services, alert_id)
    except AlertGone:
        log.info("not-a-fit for a vanished alert", extra={"alert_id": alert_id})
        return None
    return PrivateNote(channel=alert.channel, user=user_id, text=refusal_text(alert, user_id))
