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
from functools import lru_cache
from typing import Any

from bot.ingest.service import SEGMENT_ID_PREFIX
from bot.segment.timing import occurred_at
from bot.segment.traits import account_fields, lead_fields
from scoring.event_rules import normalise_email

EVENT_ID_PREFIX = SEGMENT_ID_PREFIX
"""Every Segment message's event id starts with this; ``/ingest`` refuses such ids."""
PLACEHOLDER_EMAIL = "pending@segment.invalid"
"""The lead of an event whose email is not known yet (replaced before it is stored)."""
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
    sent_at: datetime | None = None
    """The request's ``sentAt``, read once for a whole batch."""
    route_type: str | None = None
    corrected: bool = False
    too_large: bool = False


@dataclass(slots=True)
class Translated:
    """A message as an event (None for ``alias``), with the ids and email that name its lead.

    The event's ``lead.email`` is the email the message states, or
    ``PLACEHOLDER_EMAIL`` until the caller knows it.
    """

    event_id: str
    event: dict[str, Any] | None
    email: str | None
    user: str | None
    anonymous: str | None


@lru_cache(maxsize=4_096)
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
    if kind not in _TYPES:
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
    # the moment as a datetime: the event is validated from it without writing it
    # out and reading it back (``bot.segment.intake`` writes it for a pending event)
    event: dict[str, Any] = {"id": event_id, "occurred_at": when}
    event.update(_BUILDERS[kind](message))
    event["lead"]["email"] = email or PLACEHOLDER_EMAIL
    return Translated(
        event_id=event_id,
        event=event,
        email=email,
        user=None if user_id is None else identity_key("u", user_id),
        anonymous=None if anonymous_id is None else identity_key("a", anonymous_id),
    )


def _id(message: dict[str, Any], field: str) -> str | None:
    value = message.get(field)
    if type(value) is str:
        return value or None
    if value is None:
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
    if kind == "identify":
        traits = message.get("traits")
        if type(traits) is dict and (email := _email(traits.get("email"), "traits")):
            return email
    context = message.get("context")
    if type(context) is dict:
        traits = context.get("traits")
        if type(traits) is dict and (email := _email(traits.get("email"), "context.traits")):
            return email
    if user_id is not None and "@" in user_id:
        try:
            return _normalised(user_id)
        except ValueError:
            return None  # an id that merely contains "@": not an address, just an id
    return None


_normalised = lru_cache(maxsize=16_384)(normalise_email)
"""Most messages name a person seen a moment ago."""


def _email(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ValueError(f"{where}.email: must be a string")
    try:
        return _normalised(value)
    except ValueError as exc:
        raise ValueError(f"{where}.email: {exc}") from None


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
    return properties if type(properties) is dict else {}


def _activity(kind: str, message: dict[str, Any], *, named: bool = False) -> dict[str, Any]:
    """An activity: ``properties.url`` (else ``context.page.url``) becomes its ``url``.

    The URL is taken out of the properties rather than stored twice;
    ``named`` adds a page's ``name`` and ``category`` to them.
    """
    properties = _properties(message)
    url = properties.get("url")
    if type(url) is str and url:
        properties = {key: value for key, value in properties.items() if key != "url"}
    else:
        context = message.get("context")
        page = context.get("page") if type(context) is dict else None
        url = page.get("url") if type(page) is dict else None
    if named:
        extra = {f: message[f] for f in ("name", "category") if type(message.get(f)) is str}
        properties = {**extra, **properties} if extra else properties
    activity: dict[str, Any] = {"kind": kind, "properties": properties}
    if type(url) is str and url:
        activity["url"] = url
    return {"type": "activity", "lead": {}, "activity": activity}


def _identify(message: dict[str, Any]) -> dict[str, Any]:
    traits = message.get("traits")
    return {"type": "lead.updated", "lead": lead_fields(traits if isinstance(traits, dict) else {})}


def _track(message: dict[str, Any]) -> dict[str, Any]:
    name = message.get("event")
    if not isinstance(name, str) or not snake_case(name):
        raise ValueError("event: a track message needs an event name")
    return _activity(snake_case(name), message)


def _viewed(kind: str) -> Any:
    def build(message: dict[str, Any]) -> dict[str, Any]:
        return _activity(kind, message, named=True)

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
