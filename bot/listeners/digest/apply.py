"""A manager clicks **Apply suggestions**: the suggested rules become the new version.

Only managers may change the rules: ``bot.listeners.manager_gate`` stands in
front of this listener and refuses anyone else politely (ephemeral, nothing
changes). The click is translated and handed to ``bot.digest.applying``;
while the leads are rescored the manager hears how many there are, then (in
the report's thread) which version is active.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.digest.applying import apply_report
from bot.services import Services
from bot.settings import Settings
from bot.views.message import Message

NOT_A_MANAGER = (
    "Sorry, only sales managers can apply calibration suggestions. "
    "Nothing was changed; ask a manager to have a look."
)


def not_a_manager(_settings: Settings) -> Message:
    return Message(text=NOT_A_MANAGER)


def acknowledge(ack: Ack) -> None:
    ack()


def _tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def rescoring(count: int) -> str:
    return f"Rescoring {count:,} lead{'s' if count != 1 else ''}…"


def apply_suggestions(services: Services) -> Callable[..., None]:
    def handle(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        answer = apply_report(
            services,
            report_id=str(action.get("value", "")),
            user_id=user_id,
            started=lambda count: _tell(respond, rescoring(count)),
        )
        container = body.get("container") or {}
        message_ts = container.get("message_ts")
        if answer.applied and message_ts and not container.get("is_ephemeral"):
            channel = container.get("channel_id") or body["channel"]["id"]
            client.chat_postMessage(channel=channel, thread_ts=message_ts, text=answer.text)
        else:
            _tell(respond, answer.text)

    return handle
