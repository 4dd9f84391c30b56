"""chat.* methods: the messages, alerts and ephemeral replies our bot sends."""

from __future__ import annotations

from bot.slack_emulator.blocks import MAX_MESSAGE_BLOCKS
from bot.slack_emulator.methods.common import (
    Answer,
    Method,
    MethodError,
    Params,
    check_blocks,
    require,
)
from bot.slack_emulator.workspace import Workspace

_CONTENT_FIELDS = ("text", "blocks", "attachments", "metadata")


def _check_content(params: Params) -> None:
    if not any(params.get(field) for field in ("text", "blocks", "attachments")):
        raise MethodError("no_text")
    check_blocks(params.get("blocks"), max_blocks=MAX_MESSAGE_BLOCKS)


def post_message(ws: Workspace, params: Params) -> Answer:
    """Every channel exists here; a ``channel_not_found`` must be injected as a fault."""
    channel = require(params, "channel", error="channel_not_found")
    _check_content(params)
    thread_ts = params.get("thread_ts") or None
    message = ws.bot_message(
        text=params.get("text", ""),
        blocks=params.get("blocks"),
        attachments=params.get("attachments"),
        metadata=params.get("metadata"),
        thread_ts=thread_ts,
    )
    ws.add_message(channel, message)
    return {"channel": channel, "ts": message["ts"], "message": dict(message)}


def update(ws: Workspace, params: Params) -> Answer:
    channel = require(params, "channel", error="channel_not_found")
    ts = require(params, "ts", error="message_not_found")
    message = ws.find_message(channel, ts)
    if message is None:
        raise MethodError("message_not_found")
    if message.get("bot_id") != ws.bot_id:
        raise MethodError("cant_update_message")
    _check_content({**message, **params})
    for field in _CONTENT_FIELDS:
        if field in params:
            message[field] = params[field]
    message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    return {"channel": channel, "ts": ts, "text": message.get("text", ""), "message": dict(message)}


def post_ephemeral(ws: Workspace, params: Params) -> Answer:
    """Ephemeral messages are never stored: Slack does not return them in history either."""
    require(params, "channel", error="channel_not_found")
    require(params, "user", error="user_not_found")
    _check_content(params)
    return {"message_ts": ws.next_ts()}


def get_permalink(ws: Workspace, params: Params) -> Answer:
    channel = require(params, "channel", error="channel_not_found")
    ts = require(params, "message_ts", error="message_not_found")
    if ws.find_message(channel, ts) is None:
        raise MethodError("message_not_found")
    return {"channel": channel, "permalink": ws.permalink(channel, ts)}


METHODS: dict[str, Method] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
