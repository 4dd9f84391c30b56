"""The one event shape that arrives by webhook, Slack metadata or CSV import.

Validation happens here so that every entry path rejects the same things with
the same messages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

EventType = Literal["lead.created", "lead.updated", "activity", "deal.updated"]
DealStage = Literal["opportunity", "closed_won", "closed_lost"]

MAX_TEXT = 1_000
"""Longest free-text field we keep; longer values are refused, not truncated."""

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


_NOT_PROFILE = frozenset(("email", "attributes"))


class LeadData(_Model):
    """What an event says about the lead; every field but email is optional."""

    email: str = Field(min_length=3, max_length=320)
    name: str | None = Field(default=None, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=MAX_TEXT)
    company: str | None = Field(default=None, max_length=MAX_TEXT)
    company_size: int | None = Field(default=None, ge=0, le=10_000_000)
    industry: str | None = Field(default=None, max_length=MAX_TEXT)
    country: str | None = Field(default=None, max_length=MAX_TEXT)
    region: str | None = Field(default=None, max_length=MAX_TEXT)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or " " in value:
            raise ValueError("is not an email address (expected name@company.tld)")
        return value

    @field_validator("attributes")
    @classmethod
    def _flat_attributes(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100:
            raise ValueError("has more than 100 keys")
        for key, item in value.items():
            if len(key) > 100:
                raise ValueError(f"key {key[:20]!r}... is longer than 100 characters")
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"{key}: must be a finite number")
            if isinstance(item, str) and len(item) > MAX_TEXT:
                raise ValueError(f"{key}: longer than {MAX_TEXT} characters")
            if isinstance(item, dict | list):
                raise ValueError(f"{key}: must be a string, number or boolean")
        return value

    def profile_fields(self) -> dict[str, Any]:
        """The firmographic fields this event actually sets (None means 'not said').

        Read from ``__dict__`` (the fields in declaration order): they are all
        plain text or numbers, which ``model_dump`` would return as they are,
        at half its cost on every ingested event.
        """
        return {
            name: value
            for name, value in self.__dict__.items()
            if value is not None and name not in _NOT_PROFILE
        }


class ActivityData(_Model):
    kind: str = Field(min_length=1, max_length=100)
    url: str | None = Field(default=None, max_length=2_000)
    properties: dict[str, Any] = Field(default_factory=dict)


class DealData(_Model):
    stage: DealStage
    amount: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class Event(_Model):
    """One validated event. ``id`` deduplicates redeliveries."""

    id: str = Field(min_length=1, max_length=200)
    type: EventType
    occurred_at: datetime
    lead: LeadData
    activity: ActivityData | None = None
    deal: DealData | None = None

    @field_validator("occurred_at")
    @classmethod
    def _aware_and_sane(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-24T15:04:05Z")
        value = value.astimezone(UTC)
        if not EARLIEST <= value < LATEST:
            raise ValueError("is out of range (1990 to 2199)")
        return value

    @model_validator(mode="after")
    def _parts_match_type(self) -> Event:
        if self.type == "activity" and self.activity is None:
            raise ValueError("an activity event needs an 'activity' object")
        if self.type == "deal.updated" and self.deal is None:
            raise ValueError("a deal.updated event needs a 'deal' object")
        return self


def describe_error(error: ValidationError) -> str:
    """One readable line per problem, naming the field path, for API clients and logs."""
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in item["loc"]) or "event"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


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
        part.__dict__.values()
        for part in (event.lead, event.activity, event.deal)
        if part is not None
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
        name: dict(part) for name in ("lead", "activity", "deal") if (part := getattr(event, name))
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
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe_error(exc)) from None
    problem = None if _plainly_storable(event) else unstorable(event)
    if problem:
        raise ValueError(problem)
    return event
