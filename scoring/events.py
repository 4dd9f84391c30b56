"""The one event shape that arrives by webhook, Slack metadata or CSV import.

Validation happens here so that every entry path rejects the same things with
the same messages. The rules and their messages are ``scoring.event_rules``'s
pydantic models; an event is returned as the plain structs below, which the
ingest path only reads. Most events are plainly valid, and for those
``msgspec`` checks the types, lengths and ranges and builds the structs in one
C pass (about 1 us; with the checks pydantic adds, 4.6 us per webhook event
against 6.0 us through pydantic); anything it is not sure of goes to the
pydantic models, which accept, coerce or refuse it exactly as before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta
from msgspec.structs import asdict, astuple, replace

from scoring.event_rules import (
    MAX_TEXT,
    DealStage,
    EventModel,
    EventType,
    attribute_problem,
    normalise_email,
    utc_in_range,
    validate_event,
)

Text = Annotated[str, Meta(max_length=MAX_TEXT)]
_NOT_PROFILE = frozenset(("email", "attributes", "account", "owner"))
"""Fields an event carries about the lead that are not firmographics (routing reads them)."""


class LeadData(msgspec.Struct, frozen=True):
    """What an event says about the lead; every field but email is optional."""

    email: Annotated[str, Meta(min_length=3, max_length=320)]
    name: Text | None = None
    title: Text | None = None
    company: Text | None = None
    company_size: Annotated[int, Meta(ge=0, le=10_000_000)] | None = None
    industry: Text | None = None
    country: Text | None = None
    region: Text | None = None
    attributes: dict[str, Any] = {}
    account: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    owner: Annotated[str, Meta(min_length=1, max_length=320)] | None = None

    def profile_fields(self) -> dict[str, Any]:
        """The firmographic fields this event actually sets (None means 'not said')."""
        return {
            name: value
            for name, value in zip(self.__struct_fields__, astuple(self), strict=True)
            if value is not None and name not in _NOT_PROFILE
        }


class ActivityData(msgspec.Struct, frozen=True):
    kind: Annotated[str, Meta(min_length=1, max_length=100)]
    url: Annotated[str, Meta(max_length=2_000)] | None = None
    properties: dict[str, Any] = {}


class DealData(msgspec.Struct, frozen=True):
    stage: DealStage
    amount: Annotated[float, Meta(ge=0)] | None = None


class Event(msgspec.Struct, frozen=True):
    """One validated event. ``id`` deduplicates redeliveries."""

    id: Annotated[str, Meta(min_length=1, max_length=200)]
    type: EventType
    occurred_at: datetime
    lead: LeadData
    activity: ActivityData | None = None
    deal: DealData | None = None


_PLAIN_STAMP = re.compile(
    r"\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
)
"""The timestamps both parsers read alike: RFC 3339 with ``T``, capital ``Z``, no leap second."""

_PARTS = {"activity": "activity", "deal.updated": "deal"}


def _padded(text: str) -> bool:
    """Whether pydantic would strip this text (``str_strip_whitespace``)."""
    return text != text.strip()


def plain_event(data: dict[str, Any]) -> Event | None:
    """The event if it is plainly valid as sent; None when the reference validator must decide.

    None is never a refusal: it covers everything pydantic might coerce
    (``"250"`` for a number, padded text, other timestamp spellings) or
    refuse, so the reference decides those and gives its message.
    """
    event = _converted(data)
    if event is None or not _plainly_valid(event):
        return None
    return _normalised(event)


def _converted(data: dict[str, Any]) -> Event | None:
    """The structs msgspec builds, checking types, lengths and ranges; None if it cannot."""
    stamp = data.get("occurred_at")
    if type(stamp) is str:
        if not _PLAIN_STAMP.fullmatch(stamp):
            return None
    elif type(stamp) is not datetime:  # the CSV importer reads its timestamps itself
        return None
    try:
        return msgspec.convert(data, Event, strict=True)
    except (msgspec.ValidationError, ValueError):  # ValueError: unencodable text
        return None


def _plainly_valid(event: Event) -> bool:
    """What pydantic checks beyond msgspec: the parts the type needs, unpadded text, flat
    attributes, and storable text and numbers (a finite amount among them)."""
    part = _PARTS.get(event.type)
    if part is not None and getattr(event, part) is None:
        return False
    lead, activity = event.lead, event.activity
    texts = [event.id, *(v for v in astuple(lead) if type(v) is str), *lead.attributes]
    if activity is not None:
        texts += [activity.kind, *activity.properties]
        if activity.url is not None:
            texts.append(activity.url)
    if any(map(_padded, texts)) or attribute_problem(lead.attributes):
        return False
    return _plainly_storable(event)  # else pydantic refuses some of it, with its own message


def _normalised(event: Event) -> Event | None:
    """The email and moment as the reference's validators make them; None if they refuse."""
    try:
        email = normalise_email(event.lead.email)
        occurred_at = utc_in_range(event.occurred_at)
    except ValueError:
        return None
    changes: dict[str, Any] = {}
    if email != event.lead.email:
        changes["lead"] = replace(event.lead, email=email)
    if event.occurred_at.tzinfo is not UTC:
        changes["occurred_at"] = occurred_at
    return replace(event, **changes) if changes else event


def from_model(model: EventModel) -> Event:
    """The structs for an event the reference validator accepted."""
    return Event(
        id=model.id,
        type=model.type,
        occurred_at=model.occurred_at,
        lead=LeadData(**dict(model.lead)),
        activity=ActivityData(**dict(model.activity)) if model.activity else None,
        deal=DealData(**dict(model.deal)) if model.deal else None,
    )


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not valid text"
    return None


def _plainly_storable(event: Event) -> bool:
    """The common case in a few C-speed string checks; the walk in ``unstorable`` names the culprit.

    Looks at exactly what ``unstorable`` looks at (the id, every field of the
    lead, activity and deal, and every key and value nested in them), so the
    two never disagree about whether an event can be stored.
    """
    texts = [event.id]
    stack: list[Iterable[Any]] = [
        astuple(part) for part in (event.lead, event.activity, event.deal) if part is not None
    ]
    while stack:
        for value in filter(None, stack.pop()):  # None, "", 0, {} hold nothing to refuse
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    return False
            elif isinstance(value, dict):
                texts.extend(map(str, value))
                stack.append(value.values())
            elif isinstance(value, list):
                stack.append(value)
    text = "".join(texts)
    return "\x00" not in text and (text.isascii() or _text_problem(text) is None)


def unstorable(event: Event) -> str | None:
    """Why a validated event cannot be stored as sent, naming the field; None if it can.

    JSON lets a sender write ``\\u0000``, a lone ``\\ud800`` or ``1e999``
    (infinity); PostgreSQL refuses the first in text, neither database can
    encode the second, and JSON columns cannot hold the third. Refusing such
    an event here turns what was a 500 for the whole batch into one
    rejection that says which field to fix.
    """
    parts = {
        name: asdict(part)
        for name in ("lead", "activity", "deal")
        if (part := getattr(event, name)) is not None
    }
    stack: list[tuple[str, Any]] = [("", {"id": event.id, **parts})]
    while stack:
        path, value = stack.pop()
        problem: str | None = None
        if isinstance(value, str):
            problem = _text_problem(value)
        elif isinstance(value, float) and not math.isfinite(value):
            problem = "is not a finite number"
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = _text_problem(str(key))
                if key_problem:
                    return f"{path or 'event'}: a key {key_problem}"
                stack.append((f"{path}.{str(key)[:40]}" if path else str(key)[:40], item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        if problem:
            return f"{path or 'event'}: {problem}"
    return None


def parse_event(data: Any) -> Event:
    """Validate one raw event; raises ``ValueError`` with a readable message."""
    if not isinstance(data, dict):
        raise ValueError(f"event must be a JSON object, not {type(data).__name__}")
    event = plain_event(data)
    if event is not None:
        return event
    event = from_model(validate_event(data))
    problem = None if _plainly_storable(event) else unstorable(event)
    if problem:
        raise ValueError(problem)
    return event
