"""**Not a fit**: ask why in a modal, store the answer as calibration feedback.

The button opens the reason modal (``views.open`` needs the click's
``trigger_id`` within 3 seconds, so it runs right after the ack). Submitting
stores who dismissed the lead, why and when, and redraws the alert; if
someone else claimed the lead meanwhile, the submitter is told privately.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.alerts.compose import AlertGone, load_alert
from bot.alerts.not_fit import not_fit_modal, submitted_alert_id, submitted_reason
from bot.alerts.redraw import redraw_alert, reload_alert
from bot.alerts.views import refusal_text
from bot.listeners.actions.alert_buttons import GONE, clicked, tell
from bot.services import Services
from storage.alert_claims import dismiss_alert
from storage.engine import session_scope
from storage.models import Lead

log = logging.getLogger(__name__)


def ask_reason(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], respond: Respond) -> None:
        alert_id, user_id, _ts = clicked(body)
        try:
            if alert_id is None:
                raise AlertGone("no alert id on the button")
            with session_scope(services.engine) as session:
                alert = load_alert(session, alert_id)
                lead = session.get(Lead, alert.lead_id)
                name = (lead.name or lead.email) if lead else "this lead"
        except AlertGone:
            tell(respond, GONE)
            return
        if alert.dismissed_at is not None or alert.claimed_by not in (None, user_id):
            tell(respond, refusal_text(alert, user_id))
            return
        services.client.views_open(
            trigger_id=body["trigger_id"], view=not_fit_modal(alert_id=alert_id, lead_name=name)
        )

    return handle


def record_reason(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], view: dict[str, Any]) -> None:
        alert_id = submitted_alert_id(view)
        user_id = str((body.get("user") or {}).get("id", ""))
        if alert_id is None:
            log.warning("not-a-fit submission without an alert id")
            return
        reason = submitted_reason(view)
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
                return
            alert = reload_alert(services, alert_id)
        except AlertGone:
            log.info("not-a-fit for a vanished alert", extra={"alert_id": alert_id})
            return
        services.client.chat_postEphemeral(
            channel=alert.channel, user=user_id, text=refusal_text(alert, user_id)
        )

    return handle
