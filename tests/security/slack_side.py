"""Slack's side of the conversation for security tests: events and commands, signed or not."""

from __future__ import annotations

import json
from typing import Any

import httpx

from bot.slack_emulator import event_callback_body, signed_headers, slash_command_body
from tests.conftest import SIGNING_SECRET

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def metadata_event(
    payload: dict[str, Any], *, event_id: str = "Ev001", message_ts: str = "1764000000.000100"
) -> str:
    """An Events API envelope for a CRM app's message carrying a lead event as metadata."""
    event_types = {
        "activity": "lead_activity",
        "lead.created": "lead_created",
        "lead.updated": "lead_updated",
        "deal.updated": "deal_updated",
    }
    return event_callback_body(
        event_id=event_id,
        event={
            "type": "message_metadata_posted",
            "app_id": "A0CRM",
            "bot_id": "B0CRM",
            "team_id": "T0001",
            "channel_id": "C0LEADS",
            "message_ts": message_ts,
            "event_ts": message_ts,
            "metadata": {
                "event_type": event_types[str(payload["type"])],
                "event_payload": payload,
            },
        },
    )


def slash_command(text: str, *, user_id: str, response_url: str) -> str:
    return slash_command_body(text=text, user_id=user_id, response_url=response_url)


def send(
    http: httpx.Client,
    url: str,
    body: str,
    *,
    content_type: str,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    """POST ``body`` to /slack/events signed as Slack would sign it."""
    headers = signed_headers(
        signing_secret=secret, body=body, timestamp=timestamp, content_type=content_type
    )
    return http.post(f"{url}/slack/events", content=body, headers={**headers, **(extra or {})})


def content_type_of(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return FORM
    return JSON
