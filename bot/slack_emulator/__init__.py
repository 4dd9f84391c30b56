"""A local Slack for tests and ``leadscore demo``.

``SlackEmulator`` is a real HTTP server on loopback that answers the Web API
methods leadscore uses (point ``WebClient(base_url=emulator.api_url)`` at it),
records every call, and injects the failures Slack produces (429 with
``Retry-After``, 5xx, ``channel_not_found``...). It lives in the product, not
under ``tests/``, because the demo runs the app against it too. The signing
helpers play Slack's other direction: signed requests into our app.
"""

from __future__ import annotations

from bot.slack_emulator.calls import RESPONSE_URL, UPLOAD_URL, RecordedCall
from bot.slack_emulator.emulator import SlackEmulator
from bot.slack_emulator.signing import (
    block_actions_body,
    event_callback_body,
    signed_headers,
    slash_command_body,
)

__all__ = [
    "RESPONSE_URL",
    "UPLOAD_URL",
    "RecordedCall",
    "SlackEmulator",
    "block_actions_body",
    "event_callback_body",
    "signed_headers",
    "slash_command_body",
]
