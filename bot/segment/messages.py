"""Segment-spec messages (identify, track, page, screen, group, alias) as contract events.

The event is built without ``lead.email``: many messages name the person
only by ``userId`` or ``anonymousId``, and which lead that is may be known
only later (``bot.segment.intake``). The email a message states itself
(``traits.email``, ``context.traits.email``, or a ``userId`` that is an
address) travels beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.segment.timing import occurred_at
from bot.segment.traits import account_fields, lead_fields
from scoring.event_rules import normalise_email

EVENT_ID_PREFIX = "segment:"
"""Every Segment message's event id starts with this, so none equals an ``/ingest`` id."""
MAX_MESSAGE = 32 * 1024
"""The Spec's limit on one message's JSON."""
_MAX_ID = 190
_TYPES = frozenset(("identify", "track", "page", "screen", "group", "alias"))
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(slots=True)
class Envelope:
    """One received message with what the request says about it (the ingest item's data)."""

    message: Any
    received_at: datetime
    sent_at: Any = None
    route_type: str | None = None
    corrected: bool = False
    too_large: bool = False


@dataclass(slots=True)
class Translated:
    """A message as an event (None for ``alias``), with the ids and email that name its lead."""

    event_id: str
    event: dict[str, Any] | None
    email: str | None
    user: str | None
    anonymous: str | None


def snake_case(name: str) -> str:
    """An event name as an activity kind: "Demo Requested" and "demoRequested" → demo_requested."""
    return _NOT_WORD.sub("_", _CAMEL.sub("_", name)).strip("_").lower()


def identity_key(prefix: str, value: str) -> str:
    """The stored key of an id; long ids are hashed so the key fits its column."""
    if len(value) <= _MAX_ID:
        return f"{prefix}:{value}"
    return f"{prefix}#{hashlib.sha256(value.encode()).hexdigest()}"


def translate(envelope: Envelope) -> Translated:
    """The message as an event; raises ``ValueError`` saying which field is wrong."""
    message = envelope.message
    if envelope.too_large:
        raise ValueError(f"message is larger than {MAX_MESSAGE // 1024} KB (the Spec's limit)")
    if not isinstance(message, dict):
        raise ValueError(f"message must be a JSON object, not {type(message).__name__}")
    kind = envelope.route_type or message.get("type")
    if not isinstance(kind, str) or kind.lower() not in _TYPES:
        raise ValueError(f"type: must be one of {', '.join(sorted(_TYPES))}")
    kind = kind.lower()
    user_id, anonymous_id = _id(message, "userId"), _id(message, "anonymousId")
    if kind == "alias":
        return _alias(message, user_id)
    email = _stated_email(message, kind, user_id)
    if user_id is None and anonymous_id is None and email is None:
        raise ValueError("needs a userId or an anonymousId (the Spec requires one)")
    when = occurred_at(
        message,
        received_at=envelope.received_at,
        sent_at=envelope.sent_at,
        corrected=envelope.corrected,
    )
    event_id = _event_id(message)
    event: dict[str, Any] = {"id": event_id, "occurred_at": when.isoformat()}
    event.update(_BUILDERS[kind](message))
    return Translated(
        event_id=event_id,
        event=event,
        email=email,
        user=identity_key("u", user_id) if user_id is not None else None,
        anonymous=identity_key("a", anonymous_id) if anonymous_id is not None else None,
    )


def _id(message: dict[str, Any], field: str) -> str | None:
    value = message.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{field}: must be a string")
    return str(value)


def _event_id(message: dict[str, Any]) -> str:
    """``segment:`` and the messageId (a resend is a duplicate); a hash of one without it."""
    message_id = _id(message, "messageId")
    if message_id is None:
        canonical = json.dumps(message, sort_keys=True, default=str).encode()
        return f"{EVENT_ID_PREFIX}~{hashlib.sha256(canonical).hexdigest()}"
    if len(message_id) <= _MAX_ID:
        return EVENT_ID_PREFIX + message_id
    return f"{EVENT_ID_PREFIX}#{hashlib.sha256(message_id.encode()).hexdigest()}"


def _stated_email(message: dict[str, Any], kind: str, user_id: str | None) -> str | None:
    """The email the message itself gives for its person, normalised; None if it gives none."""
    candidates: list[tuple[str, Any]] = []
    traits = message.get("traits")
    if kind == "identify" and isinstance(traits, dict):
        candidates.append(("traits.email", traits.get("email")))
    context = message.get("context")
    if isinstance(context, dict) and isinstance(context.get("traits"), dict):
        candidates.append(("context.traits.email", context["traits"].get("email")))
    for field, value in candidates:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ValueError(f"{field}: must be a string")
        try:
            return normalise_email(value)
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None
    if user_id is not None and "@" in user_id:
        try:
            return normalise_email(user_id)
        except ValueError:
            return None  # an id that merely contains "@": not an address, just an id
    return None


def _alias(message: dict[str, Any], user_id: str | None) -> Translated:
    """``alias`` links the earlier id (usually the anonymous one) to the user id; no event."""
    previous = _id(message, "previousId")
    if user_id is None or previous is None:
        raise ValueError("alias needs a userId and a previousId")
    return Translated(
        event_id=_event_id(message),
        event=None,
        email=None,
        user=identity_key("u", user_id),
        anonymous=identity_key("a", previous),
    )


def _properties(message: dict[str, Any]) -> dict[str, Any]:
    properties = message.get("properties")
    return dict(properties) if isinstance(properties, dict) else {}


def _page_url(message: dict[str, Any], properties: dict[str, Any]) -> str | None:
    url = properties.get("url")
    if not isinstance(url, str):
        context = message.get("context")
        page = context.get("page") if isinstance(context, dict) else None
        url = page.get("url") if isinstance(page, dict) else None
    return url if isinstance(url, str) and url else None


def _identify(message: dict[str, Any]) -> dict[str, Any]:
    traits = message.get("traits")
    return {"type": "lead.updated", "lead": lead_fields(traits if isinstance(traits, dict) else {})}


def _track(message: dict[str, Any]) -> dict[str, Any]:
    name = message.get("event")
    if not isinstance(name, str) or not snake_case(name):
        raise ValueError("event: a track message needs an event name")
    properties = _properties(message)
    activity: dict[str, Any] = {"kind": snake_case(name), "properties": properties}
    url = _page_url(message, properties)
    if url is not None:
        activity["url"] = url
    return {"type": "activity", "lead": {}, "activity": activity}


def _viewed(kind: str) -> Any:
    def build(message: dict[str, Any]) -> dict[str, Any]:
        properties = _properties(message)
        for field in ("name", "category"):
            if isinstance(message.get(field), str) and field not in properties:
                properties[field] = message[field]
        activity: dict[str, Any] = {"kind": kind, "properties": properties}
        url = _page_url(message, properties)
        if url is not None:
            activity["url"] = url
        return {"type": "activity", "lead": {}, "activity": activity}

    return build


def _group(message: dict[str, Any]) -> dict[str, Any]:
    group_id = _id(message, "groupId")
    if group_id is None:
        raise ValueError("groupId: a group message needs one")
    traits = message.get("traits")
    return {
        "type": "lead.updated",
        "lead": account_fields(group_id, traits if isinstance(traits, dict) else {}),
    }


_BUILDERS = {
    "identify": _identify,
    "track": _track,
    "page": _viewed("page_view"),
    "screen": _viewed("screen_view"),
    "group": _group,
}
