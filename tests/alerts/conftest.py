"""Playing the SDR's side of an alert: leads turn hot, the outbox posts, people click.

Clicks and modal submissions are signed and sent through the real HTTP app
(uvicorn in a thread), answered by the local Slack emulator. Tests that move
time without the HTTP server use freezegun; tests that click set the app's
clock (``Clock``), because a frozen clock would also stop uvicorn's event loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import select

from bot.alerts import deliver_due
from bot.ingest import Item
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, block_actions_body, signed_headers
from storage.engine import session_scope
from storage.models import Alert
from tests.conftest import SIGNING_SECRET
from tests.support.servers import running


def ingest(services: Services, *events: dict[str, Any]) -> list[int]:
    """Store events through the one ingest path; the ids of the alerts they queued."""
    items = [Item(position=f"test {i}", data=event) for i, event in enumerate(events)]
    result = services.ingestor.ingest(items, source="webhook")
    assert not result.rejected, result.rejected
    return result.alert_ids


def alert_row(services: Services, alert_id: int) -> Alert:
    with session_scope(services.engine) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def all_alerts(services: Services) -> list[Alert]:
    with session_scope(services.engine) as session:
        return list(session.exec(select(Alert).order_by(Alert.id)))


def posts_to(emulator: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    """Top-level messages the app posted in ``channel`` (thread replies left out)."""
    return [
        call.params
        for call in emulator.calls_to("chat.postMessage")
        if call.params.get("channel") == channel
        and not call.params.get("thread_ts")
        and call.answered_status == 200
        and (call.response or {}).get("ok")
    ]


@dataclass
class Clock:
    """The app's clock in click tests: set, never frozen."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Sdr:
    """Slack's side of clicks on an alert, as one workspace of SDRs sees them."""

    http: httpx.Client
    url: str
    emulator: SlackEmulator
    services: Services
    clock: Clock

    def hot_alert(self, *events: dict[str, Any]) -> Alert:
        """Ingest events that make a lead hot and let the outbox post its alert."""
        (alert_id,) = ingest(self.services, *events)
        assert deliver_due(self.services).sent == 1
        return alert_row(self.services, alert_id)

    def message(self, alert: Alert) -> dict[str, Any]:
        """The alert message as it is in the channel now."""
        for message in self.emulator.messages[alert.channel]:
            if message["ts"] == alert.message_ts:
                return message
        raise AssertionError(f"no message {alert.message_ts} in {alert.channel}")

    def click(self, alert: Alert, action_id: str, *, user_id: str) -> str:
        """Click a button on the alert message; returns the click's response_url."""
        response_url = self.emulator.new_response_url()
        assert alert.message_ts is not None
        body = block_actions_body(
            user_id=user_id,
            action_id=action_id,
            value=str(alert.id),
            channel_id=alert.channel,
            message_ts=alert.message_ts,
            response_url=response_url,
            message=self.message(alert),
            block_id="alert_actions",
        )
        self._send(body, "application/x-www-form-urlencoded")
        return response_url

    def submit(self, view: dict[str, Any], *, user_id: str, reason: str, note: str = "") -> None:
        """Submit the "Not a fit" modal Slack showed, having picked ``reason``."""
        values = {
            "reason": {"reason": {"type": "radio_buttons", "selected_option": {"value": reason}}},
            "note": {"note": {"type": "plain_text_input", "value": note or None}},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": "T0001", "domain": "emulated"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "verification-token",
            "trigger_id": "123.456",
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
        }
        self._send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def _send(self, body: str, content_type: str) -> None:
        headers = signed_headers(
            signing_secret=SIGNING_SECRET, body=body, content_type=content_type
        )
        response = self.http.post(f"{self.url}/slack/events", content=body, headers=headers)
        assert response.status_code == 200, response.text


@pytest.fixture
def sdr(sqlite_services: Services, emulator: SlackEmulator) -> Iterator[Sdr]:
    clock = Clock()
    sqlite_services.clock = clock
    sqlite_services.ingestor.clock = clock
    server = create_server(sqlite_services, workers=False)
    with running(server.http) as url, httpx.Client(timeout=10) as http:
        yield Sdr(http, url, emulator, sqlite_services, clock)
