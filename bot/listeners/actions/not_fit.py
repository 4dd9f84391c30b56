"""**Not a fit**: open the reason modal on the click, hand the answer to the use case.

The button opens the modal right after the ack (``views.open`` needs the
click's ``trigger_id`` within 3 seconds). What is stored and redrawn lives
in ``bot.alerts.buttons``; a modal has no ``response_url``, so a refusal on
submit reaches the submitter as an ephemeral message in the alert's channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.alerts.buttons import ask_not_fit, record_not_fit
from bot.alerts.not_fit import submitted_alert_id, submitted_reason
from bot.listeners.actions.alert_buttons import clicked, tell
from bot.services import Services

log = logging.getLogger(__name__)


def ask_reason(services: Services) -> Callable[..., None]:
    def handle(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        alert_id, user_id, _ts = clicked(body, action)
        question = ask_not_fit(services, alert_id=alert_id, user_id=user_id)
        if question.modal is None:
            tell(respond, question.refusal)
            return
        client.views_open(trigger_id=body["trigger_id"], view=question.modal)

    return handle


def record_reason(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        alert_id = submitted_alert_id(view)
        if alert_id is None:
            log.warning("not-a-fit submission without an alert id")
            return
        user_id = str((body.get("user") or {}).get("id", ""))
        note = record_not_fit(
            services, alert_id=alert_id, user_id=user_id, reason=submitted_reason(view)
        )
        if note is not None:
            client.chat_postEphemeral(channel=note.channel, user=note.user, text=note.text)

    return handle
