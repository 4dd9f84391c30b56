"""Playing Slack's side of ``/leadscore``: signed requests into the real HTTP app.

``SlackUser.command`` sends the slash command form-encoded exactly as Slack
does, checks the immediate (empty) ack, and returns what the app POSTed to the
command's ``response_url``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.ingest import Item
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import (
    RESPONSE_URL,
    SlackEmulator,
    block_actions_body,
    event_callback_body,
    signed_headers,
    slash_command_body,
)
from bot.slack_emulator.blocks import MAX_MESSAGE_BLOCKS, block_errors
from tests.conftest import SIGNING_SECRET
from tests.support.blocks import blocks_text
from tests.support.servers import running

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
"""The answering side's clock; test events happen shortly before it."""

SDR = "USDR"


@dataclass
class SlackUser:
    http: httpx.Client
    url: str
    emulator: SlackEmulator
    services: Services

    def command(
        self, text: str, *, user_id: str = SDR, channel_id: str = "C0SALES"
    ) -> dict[str, Any]:
        """``/leadscore <text>``; the body Slack would POST to its response_url."""
        response_url = self.emulator.new_response_url()
        body = slash_command_body(
            text=text, user_id=user_id, channel_id=channel_id, response_url=response_url
        )
        return self._post(body, "application/x-www-form-urlencoded", response_url)

    def click(
        self, *, action_id: str, value: str, user_id: str = SDR, channel_id: str = "C0SALES"
    ) -> dict[str, Any]:
        response_url = self.emulator.new_response_url()
        body = block_actions_body(
            user_id=user_id,
            action_id=action_id,
            value=value,
            channel_id=channel_id,
            message_ts="",
            response_url=response_url,
        )
        return self._post(body, "application/x-www-form-urlencoded", response_url)

    def event(self, event: dict[str, Any]) -> httpx.Response:
        body = event_callback_body(event=event)
        headers = signed_headers(
            signing_secret=SIGNING_SECRET, body=body, content_type="application/json"
        )
        return self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    def _post(self, body: str, content_type: str, response_url: str) -> dict[str, Any]:
        before = len(self.emulator.responses())
        headers = signed_headers(signing_secret=SIGNING_SECRET, body=body)
        response = self.http.post(f"{self.url}/slack/events", content=body, headers=headers)
        assert response.status_code == 200
        assert response.text == ""
        path = "/" + response_url.split("/", 3)[3]
        calls = self.emulator.wait_for(RESPONSE_URL, count=before + 1, timeout=10)
        mine = [c for c in calls if c.path == path]
        assert mine, f"nothing was posted to {response_url}"
        return mine[0].params

    def ingest(self, *events: dict[str, Any]) -> None:
        items = [Item(position=f"test {i}", data=e) for i, e in enumerate(events)]
        result = self.services.ingestor.ingest(items, source="test")
        assert not result.rejected, result.rejected


@pytest.fixture
def slack(services: Services, emulator: SlackEmulator) -> Iterator[SlackUser]:
    services.clock = lambda: NOW
    services.ingestor.clock = lambda: NOW
    server = create_server(services, workers=False)
    with running(server.http) as url, httpx.Client(timeout=10) as http:
        yield SlackUser(http=http, url=url, emulator=emulator, services=services)


def texts(message: dict[str, Any]) -> str:
    """Every text in a message's blocks, joined: what the user reads."""
    return blocks_text(message.get("blocks", []))


def assert_within_limits(message: dict[str, Any]) -> None:
    """What Slack would refuse: too many blocks, too long texts, labels or fields."""
    assert message.get("text"), "a message needs top-level text for notifications"
    assert block_errors(message.get("blocks", []), max_blocks=MAX_MESSAGE_BLOCKS) == []


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)
