"""The reference validator of incoming events: every rule, and the message each one gives.

These pydantic models define what an event may be. ``scoring.events.plain_event``
accepts the common, plainly valid event without them (msgspec builds it in
about a fifth of the time pydantic takes to validate and build three model
instances); whatever it is unsure of comes here, so an event is accepted,
coerced or refused, with these messages, exactly as if it had always come here.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

EventType = Literal["lead.created", "lead.updated", "activity", "deal.updated"]
DealStage = Literal["opportunity", "closed_won", "closed_lost"]

MAX_TEXT = 1_000
"""Longest free-text field we keep; longer values are refused, not truncated."""

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def normalise_email(value: str) -> str:
    """The lead's key: trimmed and lower-cased; raises ``ValueError`` if it is not an address."""
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise ValueError("is not an email address (expected name@company.tld)")
    return value


def attribute_problem(value: dict[str, Any]) -> str | None:
    """Why a lead's custom attributes cannot be kept (they must be flat), or None."""
    if len(value) > 100:
        return "has more than 100 keys"
    for key, item in value.items():
        if len(key) > 100:
            return f"key {key[:20]!r}... is longer than 100 characters"
        if isinstance(item, float) and not math.isfinite(item):
            return f"{key}: must be a finite number"
        if isinstance(item, str) and len(item) > MAX_TEXT:
            return f"{key}: longer than {MAX_TEXT} characters"
        if isinstance(item, dict | list):
            return f"{key}: must be a string, number or boolean"
    return None


def utc_in_range(value: datetime) -> datetime:
    """The moment in UTC; raises ``ValueError`` if it has no offset or is implausibly far out."""
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-11-24T15:04:05Z")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise ValueError("is out of range (1990 to 2199)") from None
    if not EARLIEST <= value < LATEST:
        raise ValueError("is out of range (1990 to 2199)")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class LeadModel(_Model):
    email: str = Field(min_length=3, max_length=320)
    name: str | None = Field(default=None, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=MAX_TEXT)
    company: str | None = Field(default=None, max_length=MAX_TEXT)
    company_size: int | None = Field(default=None, ge=0, le=10_000_000)
    industry: str | None = Field(default=None, max_length=MAX_TEXT)
    country: str | None = Field(default=None, max_length=MAX_TEXT)
    region: str | None = Field(default=None, max_length=MAX_TEXT)
    attributes: dict[str, Any] = Field(default_factory=dict)
    account: str | None = Field(default=None, min_length=1, max_length=200)
    owner: str | None = Field(default=None, min_length=1, max_length=320)

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("attributes")
    @classmethod
    def _flat_attributes(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = attribute_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ActivityModel(_Model):
    kind: str = Field(min_length=1, max_length=100)
    url: str | None = Field(default=None, max_length=2_000)
    properties: dict[str, Any] = Field(default_factory=dict)


class DealModel(_Model):
    stage: DealStage
    amount: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class EventModel(_Model):
    id: str = Field(min_length=1, max_length=200)
    type: EventType
    occurred_at: datetime
    lead: LeadModel
    activity: ActivityModel | None = None
    deal: DealModel | None = None

    @field_validator("occurred_at")
    @classmethod
    def _aware_and_sane(cls, value: datetime) -> datetime:
        return utc_in_range(value)

    @model_validator(mode="after")
    def _parts_match_type(self) -> EventModel:
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


def validate_event(data: dict[str, Any]) -> EventModel:
    """Validate one raw event; raises ``ValueError`` with a readable message."""
    try:
        return EventModel.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe_error(exc)) from None
