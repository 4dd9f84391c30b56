"""Drawing an alert from the database as it is now: the first post and every redraw.

The message is composed at the moment it is drawn (``compose_alert``), so a
redraw after a click, a snooze or an escalation shows the current state;
``redraw_alert`` replaces the posted message in place (``chat.update``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.alerts.account_view import account_alert_message
from bot.alerts.alert_view import AlertMessage, alert_message
from bot.scorecard import ScoreCard, build_score_card
from bot.services import Services
from storage.engine import session_scope
from storage.models import Alert, Lead


class AlertGone(LookupError):
    """The alert or its lead no longer exists (e.g. a click on a very old message)."""


def load_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertGone(f"alert {alert_id} does not exist")
    return alert


def reload_alert(services: Services, alert_id: int) -> Alert:
    with session_scope(services.engine) as session:
        return load_alert(session, alert_id)


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


def redraw_alert(services: Services, alert_id: int, *, clicked_ts: str | None = None) -> Alert:
    """Replace the alert message with its current state; returns the alert as drawn.

    ``clicked_ts`` (the message the click came from) stands in when the row has
    no ts yet: the post reached Slack but the sender has not recorded it.
    """
    now = services.clock()
    with session_scope(services.engine) as session:
        alert = load_alert(session, alert_id)
        message = compose_alert(session, services, alert, now)
    ts = alert.message_ts or clicked_ts
    if ts:
        services.client.chat_update(
            channel=alert.channel, ts=ts, text=message.text, blocks=message.blocks
        )
    return alert
