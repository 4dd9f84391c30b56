"""Redrawing a posted alert in place after an SDR acted on it (``chat.update``)."""

from __future__ import annotations

from bot.alerts.compose import compose_alert, load_alert
from bot.services import Services
from storage.engine import session_scope
from storage.models import Alert


def reload_alert(services: Services, alert_id: int) -> Alert:
    with session_scope(services.engine) as session:
        return load_alert(session, alert_id)


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
