"""The two-step external upload that ``WebClient.files_upload_v2`` performs.

``files.getUploadURLExternal`` hands out a URL on this emulator; the bytes
are POSTed there (see ``Dispatcher``), then ``files.completeUploadExternal``
turns them into files and, when a channel is given, a message sharing them.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.slack_emulator.methods.common import (
    Answer,
    Method,
    MethodError,
    Params,
    int_param,
    require,
)
from bot.slack_emulator.workspace import TEAM_URL, Workspace


def get_upload_url(ws: Workspace, params: Params) -> Answer:
    filename = require(params, "filename")
    length = int_param(params, "length", 0)
    if length < 1:
        raise MethodError("invalid_arguments")
    file_id = ws.next_id("F")
    ws.files[file_id] = {
        "id": file_id,
        "name": filename,
        "title": filename,
        "size": length,
        "alt_txt": params.get("alt_txt"),
        "content": None,
    }
    return {"upload_url": f"{ws.base_url}upload/{file_id}", "file_id": file_id}


def _shared_file(ws: Workspace, stored: dict[str, Any], channels: list[str]) -> dict[str, Any]:
    name = stored["name"]
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {
        "id": stored["id"],
        "name": name,
        "title": stored["title"],
        "mimetype": mimetype,
        "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
        "size": len(stored["content"] or b""),
        "user": ws.bot_user_id,
        "url_private": f"{ws.base_url}files/{stored['id']}/{name}",
        "permalink": f"{TEAM_URL}files/{ws.bot_user_id}/{stored['id']}/{name}",
        "channels": channels,
    }


def complete_upload(ws: Workspace, params: Params) -> Answer:
    """Slack refuses to complete a file whose bytes never arrived; so does this."""
    requested = params.get("files")
    if not isinstance(requested, list) or not requested:
        raise MethodError("invalid_arguments")
    channel_ids = params.get("channel_id") or params.get("channels") or ""
    channels = [channel for channel in str(channel_ids).split(",") if channel]
    shared = []
    for item in requested:
        stored = ws.files.get(str(item.get("id")))
        if stored is None:
            raise MethodError("file_not_found")
        if stored["content"] is None:
            raise MethodError("file_upload_not_completed")
        stored["title"] = item.get("title") or stored["title"]
        shared.append(_shared_file(ws, stored, channels))
    for channel in channels:
        message = ws.bot_message(
            text=params.get("initial_comment", ""),
            files=shared,
            upload=True,
            thread_ts=params.get("thread_ts") or None,
        )
        ws.add_message(channel, message)
    return {"files": shared}


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
