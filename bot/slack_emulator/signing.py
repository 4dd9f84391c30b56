"""Requests to OUR app shaped and signed the way Slack sends them.

Tests and ``leadscore demo`` use these to play Slack's side of slash
commands, button clicks and events, so Bolt's signature check runs for real.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed_headers(
    *,
    signing_secret: str,
    body: str,
    timestamp: int | None = None,
    content_type: str = FORM,
) -> dict[str, str]:
    """Headers Bolt verifies; sign the exact body string that will be sent."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:
        raise ValueError("slack_sdk could not sign this body")
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


def slash_command_body(
    *,
    command: str = "/leadscore",
    text: str,
    user_id: str,
    channel_id: str = "C0TEST",
    response_url: str,
    team_id: str = "T0001",
    trigger_id: str = "123.456",
) -> str:
    """Form fields in the order Slack sends them (``+`` for spaces, ``%2F`` for ``/``)."""
    return urlencode(
        {
            "token": "verification-token",
            "team_id": team_id,
            "team_domain": "emulated",
            "channel_id": channel_id,
            "channel_name": channel_id.lower(),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def block_actions_body(
    *,
    user_id: str,
    action_id: str,
    value: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    block_id: str = "b",
    message: dict[str, Any] | None = None,
    trigger_id: str = "123.456",
    team_id: str = "T0001",
) -> str:
    """A button click: ``payload=<json>`` form-encoded, as Slack interactivity posts it."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0001",
        "token": "verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": "emulated"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "message": message or {"type": "message", "ts": message_ts, "text": ""},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_callback_body(
    *,
    event: dict[str, Any],
    team_id: str = "T0001",
    api_app_id: str = "A0001",
    event_id: str = "Ev001",
) -> str:
    """An Events API envelope; send it with ``content_type="application/json"``."""
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": team_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )
