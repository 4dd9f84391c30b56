"""Slack's side of the conversation: signed slash commands and button clicks sent to the app.

The demo plays the SDRs with this, through the real HTTP endpoint and Bolt's
signature check, and reads the answers from the local Slack emulator.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.slack_emulator import (
    SlackEmulator,
    block_actions_body,
    signed_headers,
    slash_command_body,
)


def button_value(message: dict[str, Any], action_id: str) -> str | None:
    """The value of the button with ``action_id`` in a posted message, if any."""
    for block in message.get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return str(element.get("value"))
    return None


class SlackSide:
    """Sends what Slack would send on behalf of people, and waits for the app's answers."""

    def __init__(self, *, base_url: str, signing_secret: str, emulator: SlackEmulator) -> None:
        self.base_url = base_url
        self.secret = signing_secret
        self.emulator = emulator
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def _post(self, body: str) -> httpx.Response:
        headers = signed_headers(signing_secret=self.secret, body=body)
        response = self.http.post(f"{self.base_url}/slack/events", content=body, headers=headers)
        response.raise_for_status()
        return response

    def slash(self, text: str, *, user: str, channel: str = "C0SDR") -> dict[str, Any]:
        """Run ``/leadscore <text>`` and return the answer posted to the response URL."""
        url = self.emulator.new_response_url()
        before = len(self.emulator.responses())
        self._post(
            slash_command_body(text=text, user_id=user, channel_id=channel, response_url=url)
        )
        answers = self.emulator.wait_for("response_url", count=before + 1, timeout=15)
        return dict(answers[-1].params)

    def click(self, message: dict[str, Any], action_id: str, *, user: str, channel: str) -> None:
        """Press a button of a message the app posted."""
        value = button_value(message, action_id)
        if value is None:
            raise LookupError(f"no {action_id} button in that message")
        body = block_actions_body(
            user_id=user,
            action_id=action_id,
            value=value,
            channel_id=channel,
            message_ts=str(message["ts"]),
            response_url=self.emulator.new_response_url(),
            message=message,
        )
        self._post(body)
