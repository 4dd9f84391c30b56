"""A listener that fails is logged once and the person who asked is told, politely."""

from __future__ import annotations

import logging

import pytest
from slack_bolt import Ack, BoltRequest

from bot.services import Services
from bot.slack.app import build
from bot.slack.errors import SORRY
from bot.slack_emulator import (
    RESPONSE_URL,
    SlackEmulator,
    block_actions_body,
    event_callback_body,
    signed_headers,
)
from tests.conftest import SIGNING_SECRET


def test_a_failing_click_is_logged_and_the_user_is_told_privately(
    sqlite_services: Services, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    app = build(sqlite_services)

    @app.action("explode")
    def explode(ack: Ack) -> None:
        raise RuntimeError("the database went away")

    response_url = emulator.new_response_url()
    body = block_actions_body(
        user_id="USDR",
        action_id="explode",
        value="x",
        channel_id="C0SALES",
        message_ts="1.000001",
        response_url=response_url,
    )
    with caplog.at_level(logging.ERROR, logger="bot.slack.errors"):
        response = app.dispatch(
            BoltRequest(body=body, headers=signed_headers(signing_secret=SIGNING_SECRET, body=body))
        )

    assert response.status == 500
    [answer] = emulator.wait_for(RESPONSE_URL, timeout=30)
    assert answer.params["text"] == SORRY
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["replace_original"] is False
    [line] = [r for r in caplog.records if r.name == "bot.slack.errors"]
    assert line.getMessage() == "listener failed (block_actions): RuntimeError"
    assert line.exc_info is not None


def test_a_failing_event_is_logged_and_left_for_slack_to_retry(
    sqlite_services: Services, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    app = build(sqlite_services)

    def explode(*items: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    sqlite_services.ingestor.ingest = explode  # type: ignore[method-assign]
    event = {
        "type": "message_metadata_posted",
        "app_id": "A0OTHER",
        "bot_id": "B0OTHER",
        "user_id": "UOTHER",
        "team_id": "T0001",
        "channel_id": "C0CRM",
        "message_ts": "1764590400.000100",
        "event_ts": "1764590400.000200",
        "metadata": {
            "event_type": "lead_created",
            "event_payload": {
                "id": "m-1",
                "type": "lead.created",
                "occurred_at": "2026-12-01T09:00:00Z",
                "lead": {"email": "ana@acme.io"},
            },
        },
    }
    body = event_callback_body(event=event)
    headers = signed_headers(
        signing_secret=SIGNING_SECRET, body=body, content_type="application/json"
    )
    with caplog.at_level(logging.ERROR, logger="bot.slack.errors"):
        response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 500
    assert [r.getMessage() for r in caplog.records if r.name == "bot.slack.errors"] == [
        "listener failed (event_callback): RuntimeError"
    ]
    assert emulator.responses() == []
