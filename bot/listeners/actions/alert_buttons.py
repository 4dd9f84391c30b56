"""**Claim** and **Snooze 1 day** on a hot-lead alert: translate the click, call the use case.

What a claim or a snooze does (first claim wins, the redraw, the refusals)
lives in ``bot.alerts.buttons``; this module only reads the click and
answers the clicker privately when the use case has something to say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.alerts.buttons import claim, snooze
from bot.services import Services
from bot.slack.ids import row_id


def clicked(body: dict[str, Any], action: dict[str, Any]) -> tuple[int | None, str, str | None]:
    """The alert id (button value), who clicked, and the message clicked on."""
    user_id = str((body.get("user") or {}).get("id", ""))
    message_ts = (body.get("container") or {}).get("message_ts")
    return row_id(str(action.get("value", ""))), user_id, message_ts


def tell(respond: Respond, text: str | None) -> None:
    if text:
        respond(text=text, response_type="ephemeral", replace_original=False)


def claim_lead(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        alert_id, user_id, message_ts = clicked(body, action)
        tell(respond, claim(services, alert_id=alert_id, user_id=user_id, clicked_ts=message_ts))

    return handle


def snooze_lead(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        alert_id, user_id, message_ts = clicked(body, action)
        tell(respond, snooze(services, alert_id=alert_id, user_id=user_id, clicked_ts=message_ts))

    return handle
