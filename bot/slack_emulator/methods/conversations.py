"""conversations.* methods: reading back what was posted (the outbox's dedupe check)."""

from __future__ import annotations

from typing import Any

from bot.slack_emulator.methods.common import (
    Answer,
    Method,
    MethodError,
    Params,
    int_param,
    require,
    truthy,
)
from bot.slack_emulator.workspace import Workspace, ts_value

_MAX_LIMIT = 999


def _in_range(ts: str, params: Params) -> bool:
    inclusive = truthy(params.get("inclusive"))
    value = ts_value(ts)
    if params.get("oldest"):
        oldest = ts_value(str(params["oldest"]))
        if value < oldest or (value == oldest and not inclusive):
            return False
    if params.get("latest"):
        latest = ts_value(str(params["latest"]))
        if value > latest or (value == latest and not inclusive):
            return False
    return True


def _page(messages: list[dict[str, Any]], params: Params) -> Answer:
    """Cursor pagination: the cursor is the offset of the next page, opaque to callers."""
    limit = min(max(int_param(params, "limit", 100), 1), _MAX_LIMIT)
    start = int_param(params, "cursor", 0)
    page = messages[start : start + limit]
    has_more = start + limit < len(messages)
    return {
        "messages": [dict(message) for message in page],
        "has_more": has_more,
        "response_metadata": {"next_cursor": str(start + limit) if has_more else ""},
    }


def history(ws: Workspace, params: Params) -> Answer:
    """Newest first, thread replies left out, ``metadata`` always included.

    Real Slack only includes ``metadata`` when ``include_all_metadata=true``.
    """
    channel = require(params, "channel", error="channel_not_found")
    top_level = [
        message
        for message in ws.messages.get(channel, [])
        if message.get("thread_ts", message["ts"]) == message["ts"]
        and _in_range(message["ts"], params)
    ]
    return {"pin_count": 0, **_page(top_level[::-1], params)}


def replies(ws: Workspace, params: Params) -> Answer:
    """The parent first, then its replies oldest first, as Slack returns a thread."""
    channel = require(params, "channel", error="channel_not_found")
    ts = require(params, "ts", error="thread_not_found")
    parent = ws.find_message(channel, ts)
    if parent is None:
        raise MethodError("thread_not_found")
    thread = [
        message
        for message in ws.messages.get(channel, [])
        if message is parent
        or (message.get("thread_ts") == ts and _in_range(message["ts"], params))
    ]
    return _page(thread, params)


def info(ws: Workspace, params: Params) -> Answer:
    channel = require(params, "channel", error="channel_not_found")
    return {
        "channel": {
            "id": channel,
            "name": channel.lower().lstrip("#"),
            "is_channel": channel.startswith("C"),
            "is_group": channel.startswith("G"),
            "is_im": channel.startswith("D"),
            "is_private": channel.startswith("G"),
            "is_archived": False,
            "is_member": True,
            "created": 1_700_000_000,
            "context_team_id": ws.team_id,
        }
    }


METHODS: dict[str, Method] = {
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.info": info,
}
