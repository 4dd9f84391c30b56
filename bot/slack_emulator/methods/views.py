"""views.* methods: the App Home tab and modals.

Each stored view gets a new ``hash`` on every change, and ``views.update``
with a stale hash fails with ``hash_conflict`` as on Slack.
"""

from __future__ import annotations

from typing import Any

from bot.slack_emulator.blocks import MAX_SURFACE_BLOCKS
from bot.slack_emulator.methods.common import (
    Answer,
    Method,
    MethodError,
    Params,
    check_blocks,
    require,
)
from bot.slack_emulator.workspace import Workspace


def _view_param(params: Params) -> dict[str, Any]:
    view = params.get("view")
    if not isinstance(view, dict):
        raise MethodError("invalid_arguments")
    check_blocks(view.get("blocks", []), max_blocks=MAX_SURFACE_BLOCKS)
    return view


def _store(ws: Workspace, view: dict[str, Any], *, view_id: str | None, **extra: Any) -> Answer:
    stored = {
        "id": view_id or ws.next_id("V"),
        "team_id": ws.team_id,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        **view,
        **extra,
        "hash": ws.next_ts(),
    }
    ws.views[stored["id"]] = stored
    return {"view": dict(stored)}


def publish(ws: Workspace, params: Params) -> Answer:
    user_id = require(params, "user_id", error="user_not_found")
    view = _view_param(params)
    existing = next(
        (v for v in ws.views.values() if v.get("type") == "home" and v.get("user_id") == user_id),
        None,
    )
    if existing and params.get("hash") and params["hash"] != existing["hash"]:
        raise MethodError("hash_conflict")
    return _store(ws, view, view_id=existing["id"] if existing else None, user_id=user_id)


def open_view(ws: Workspace, params: Params) -> Answer:
    require(params, "trigger_id", error="invalid_trigger_id")
    return _store(ws, _view_param(params), view_id=None, root_view_id=None)


def update(ws: Workspace, params: Params) -> Answer:
    view = _view_param(params)
    if params.get("view_id"):
        existing = ws.views.get(str(params["view_id"]))
    elif params.get("external_id"):
        wanted = params["external_id"]
        existing = next((v for v in ws.views.values() if v.get("external_id") == wanted), None)
    else:
        raise MethodError("invalid_arguments")
    if existing is None:
        raise MethodError("not_found")
    if params.get("hash") and params["hash"] != existing["hash"]:
        raise MethodError("hash_conflict")
    kept = {key: existing[key] for key in ("user_id", "root_view_id") if key in existing}
    return _store(ws, view, view_id=existing["id"], **kept)


METHODS: dict[str, Method] = {
    "views.publish": publish,
    "views.open": open_view,
    "views.update": update,
}
