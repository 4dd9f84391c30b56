"""Reading what an alert shows from the database, at the moment it is (re)drawn."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.alerts.account_view import account_alert_message
from bot.alerts.views import AlertMessage, alert_message
from bot.scorecard import ScoreCard, build_score_card
from bot.services import Services
from storage.models import Alert, Lead


class AlertGone(LookupError):
    """The alert or its lead no longer exists (e.g. a click on a very old message)."""


def card_for(session: Session, services: Services, alert: Alert, now: datetime) -> ScoreCard:
    lead = session.get(Lead, alert.lead_id)
    if lead is None:
        raise AlertGone(f"lead {alert.lead_id} of alert {alert.alert_key} is gone")
    rules = services.rulebook.active(session)
    return build_score_card(session=session, lead=lead, rules=rules, alert=alert, now=now)


def compose_alert(
    session: Session, services: Services, alert: Alert, now: datetime
) -> AlertMessage:
    """The alert message for ``alert`` in its current state, scored as of ``now``."""
    if alert.account_id is not None:
        return account_alert_message(session, alert, now)
    return alert_message(card_for(session, services, alert, now), alert, now)


def load_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertGone(f"alert {alert_id} does not exist")
    return alert
