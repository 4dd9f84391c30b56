"""auth.test, users.info and users.lookupByEmail: who the bot is and who the humans are."""

from __future__ import annotations

from bot.slack_emulator.methods.common import Answer, Method, MethodError, Params, require
from bot.slack_emulator.workspace import TEAM_URL, Workspace


def auth_test(ws: Workspace, params: Params) -> Answer:
    """Bolt calls this at start-up to learn ``bot_user_id`` (used to drop its own events)."""
    return {
        "url": TEAM_URL,
        "team": "Emulated Workspace",
        "user": "leadscore",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def users_info(ws: Workspace, params: Params) -> Answer:
    """Any user id exists, with defaults unless ``set_user`` said otherwise."""
    return {"user": ws.user(require(params, "user", error="user_not_found"))}


def users_lookup_by_email(ws: Workspace, params: Params) -> Answer:
    """Only users given an ``email`` with ``set_user`` exist here, as on Slack: else
    ``users_not_found``."""
    email = require(params, "email").strip().casefold()
    with ws.lock:
        matches = [
            user_id
            for user_id, data in ws.users.items()
            if str(data.get("email", "")).casefold() == email
        ]
    if not matches:
        raise MethodError("users_not_found")
    return {"user": ws.user(matches[0])}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
}
