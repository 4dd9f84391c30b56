"""The Slack workspace the emulator pretends to be: messages, users, views, files.

Method handlers mutate it while holding ``lock``, so each Web API call is
atomic with respect to the others even though the server is threaded.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEAM_DOMAIN = "emulated"
TEAM_URL = f"https://{TEAM_DOMAIN}.slack.com/"
_PROFILE_KEYS = ("real_name", "display_name", "email", "title", "phone", "image_72")


def ts_value(ts: str) -> Decimal:
    """Exact numeric value of a Slack ``ts`` (floats lose the microseconds)."""
    return Decimal(ts)


class Workspace:
    """State behind the Web API methods; ``reset`` keeps users, which are configuration."""

    def __init__(self, *, bot_user_id: str, team_id: str) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = f"B{bot_user_id[1:]}"
        self.app_id = "A0001"
        self.team_id = team_id
        self.base_url = ""
        self.lock = threading.RLock()
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self._serial = itertools.count(1)
        self._last_ts_us = 0

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.views.clear()
            self.files.clear()

    def next_ts(self) -> str:
        """A wall-clock ``ts``, strictly increasing even when the clock is frozen or coarse."""
        with self.lock:
            self._last_ts_us = max(time.time_ns() // 1000, self._last_ts_us + 1)
            seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}EMU{next(self._serial):06d}"

    def permalink(self, channel: str, ts: str) -> str:
        return f"{TEAM_URL}archives/{channel}/p{ts.replace('.', '')}"

    def bot_message(self, **fields: Any) -> dict[str, Any]:
        """A message as Slack stores one our bot posted; ``None`` fields are left out."""
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": self.next_ts(),
        }
        message.update({key: value for key, value in fields.items() if value is not None})
        return message

    def add_message(self, channel: str, message: dict[str, Any]) -> None:
        """Store a message; a reply also bumps its parent's thread counters like Slack does."""
        posted = self.messages.setdefault(channel, [])
        posted.append(message)
        thread_ts = message.get("thread_ts")
        parent = self.find_message(channel, thread_ts) if thread_ts else None
        if parent is not None and parent is not message:
            parent.setdefault("thread_ts", parent["ts"])
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["latest_reply"] = message["ts"]

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def set_user(self, user_id: str, profile: dict[str, Any]) -> None:
        with self.lock:
            self.users.setdefault(user_id, {}).update(profile)

    def user(self, user_id: str) -> dict[str, Any]:
        """The ``users.info`` user object: defaults overlaid with ``set_user`` data.

        Profile-only keys (``email``, ``display_name``...) go under ``profile``
        as on Slack, so code that reads ``user["profile"]["email"]`` is tested.
        """
        data = {
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "tz": "UTC",
            "is_admin": False,
            **self.users.get(user_id, {}),
        }
        profile = {key: data[key] for key in _PROFILE_KEYS if key in data}
        profile.setdefault("display_name", data["name"])
        top_level = {k: v for k, v in data.items() if k == "real_name" or k not in _PROFILE_KEYS}
        return {
            "id": user_id,
            "team_id": self.team_id,
            "deleted": False,
            "is_bot": False,
            "tz_offset": _utc_offset_seconds(str(data["tz"])),
            **top_level,
            "profile": profile,
        }


def _utc_offset_seconds(tz: str) -> int:
    try:
        offset = datetime.now(UTC).astimezone(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset else 0
