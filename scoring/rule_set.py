"""Typed model of a rule set, as written in the contract's YAML format.

The models are strict (unknown keys are errors) so that a typo in a rule file
is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

LEAD_FIELDS = (
    "email",
    "name",
    "title",
    "company",
    "company_size",
    "industry",
    "country",
    "region",
)
"""Lead columns a fit or routing condition may name (besides ``attributes.<key>``)."""


class _Strict(BaseModel):
    # No inf/NaN: a NaN in points or thresholds would poison every score silently.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FieldCondition(_Strict):
    """A test on one lead field; exactly one operator must be given."""

    field: str
    equals: Any | None = None
    in_: list[Any] | None = Field(default=None, alias="in", min_length=1)
    contains_any: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, min_length=1
    )
    between: tuple[float, float] | None = None
    exists: bool | None = None
    email_domain_in: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, min_length=1
    )

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True
    )

    @model_validator(mode="after")
    def _one_operator(self) -> FieldCondition:
        given = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(OPERATORS)} (got {', '.join(given) or 'none'})"
            )
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError("between: the lower bound is greater than the upper bound")
        if not (self.field in LEAD_FIELDS or self.field.startswith("attributes.")):
            raise ValueError(
                f"unknown field {self.field!r}: use one of {', '.join(LEAD_FIELDS)} "
                "or attributes.<key>"
            )
        return self

    @cached_property
    def operator(self) -> str:
        """The one operator this condition uses, as spelled in YAML (computed once)."""
        return next(op for op in OPERATORS if getattr(self, _attr(op)) is not None)

    @cached_property
    def needles(self) -> tuple[str, ...]:
        """``contains_any`` as compared: trimmed and case-folded, once per rule set."""
        return tuple(needle.strip().casefold() for needle in self.contains_any or ())

    @cached_property
    def matcher(self) -> Callable[[Any], bool]:
        """The condition compiled to one closure (``scoring.conditions``), once per rule set."""
        from scoring.conditions import compile_field_condition  # it imports this module

        return compile_field_condition(self)


OPERATORS = ("equals", "in", "contains_any", "between", "exists", "email_domain_in")


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


class ActivityCondition(_Strict):
    """Which activities a behaviour rule counts."""

    kind: str = Field(min_length=1)
    url_contains: str | None = Field(default=None, min_length=1)
    properties: dict[str, Any] | None = None

    @cached_property
    def kind_key(self) -> str:
        """``kind`` as activities are matched against it: trimmed and case-folded."""
        return self.kind.strip().casefold()

    @cached_property
    def detail_matcher(self) -> Callable[[Any], bool]:
        """URL and property tests compiled to one closure, once per rule set."""
        from scoring.conditions import compile_activity_details  # it imports this module

        return compile_activity_details(self)


class FitRule(_Strict):
    """Points for who the lead is (firmographics); never decays."""

    name: str = Field(min_length=1)
    when: FieldCondition
    points: float


class BehaviorRule(_Strict):
    """Points for what the lead did; ``max_count`` caps how often it counts."""

    name: str = Field(min_length=1)
    when: ActivityCondition
    points: float
    # strict: otherwise ``max_count: true`` would quietly mean 1.
    max_count: int | None = Field(default=None, ge=1, strict=True)
    intent: bool = False


class Thresholds(_Strict):
    hot: float
    warm: float

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.warm > self.hot:
            raise ValueError("warm must not be above hot")
        return self


class Decay(_Strict):
    monthly_rate: float = Field(ge=0, lt=1)
    grace_days: float = Field(default=0, ge=0)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HOURS = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"


class Assignee(_Strict):
    """One rep in a rotation; ``weight: 2`` gets two turns for every one of weight 1."""

    user: str = Field(min_length=1, max_length=200)
    weight: int = Field(default=1, ge=1, le=100, strict=True)


def _bare_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [item if isinstance(item, dict) else {"user": item} for item in value]
    return value


class RoutingRule(_Strict):
    """Where a hot lead is posted; the first rule whose ``when`` matches wins.

    ``hours``/``days`` are read in each rep's own time zone (from Slack), or in
    ``timezone`` when the rule gives one.
    """

    when: FieldCondition | None = None
    channel: str = Field(min_length=1)
    assignees: Annotated[list[Assignee], BeforeValidator(_bare_ids)] = Field(default_factory=list)
    hours: str | None = None
    days: list[Weekday] | None = Field(default=None, min_length=1)
    timezone: str | None = None
    max_alerts_per_rep_per_day: int | None = Field(default=None, ge=1, strict=True)
    max_reassignments: int = Field(default=2, ge=0, le=20, strict=True)
    owner_claims: bool = True

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(_HOURS, value):
            raise ValueError('should be HH:MM-HH:MM in 24-hour time, e.g. "09:00-18:00"')
        return value

    @model_validator(mode="after")
    def _known_zone(self) -> RoutingRule:
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {self.timezone!r}") from error
        if self.hours is not None:
            start, end = self.hours.split("-")
            if start == end:
                raise ValueError("hours: start and end are the same")
        return self

    @cached_property
    def people(self) -> tuple[str, ...]:
        """Each assignee once, in the order written."""
        return tuple(dict.fromkeys(a.user for a in self.assignees))

    @cached_property
    def turns(self) -> tuple[str, ...]:
        """One cycle of the weighted rotation (``scoring.routing.rotation``), once per rule set."""
        from scoring.routing import rotation  # it imports this module

        return rotation(self.assignees)


class AccountHeat(_Strict):
    """How many of an account's leads must show intent, within how many days, for an alert."""

    leads: int = Field(default=3, ge=2, strict=True)
    days: float = Field(default=7, gt=0)


Band = Literal["hot", "warm", "cold"]


class RuleSet(_Strict):
    """A complete, validated rule set (one stored version)."""

    name: str = Field(min_length=1)
    thresholds: Thresholds
    score_range: tuple[float, float] = (0, 100)
    decay: Decay = Decay(monthly_rate=0.15, grace_days=7)
    fit: list[FitRule] = Field(default_factory=list)
    behavior: list[BehaviorRule] = Field(default_factory=list)
    routing: list[RoutingRule] = Field(default_factory=list)
    sla_minutes: float = Field(default=15, gt=0)
    account_heat: AccountHeat | Literal[False] = AccountHeat()

    @field_validator("account_heat", mode="before")
    @classmethod
    def _heat_on(cls, value: Any) -> Any:
        if value is True or value is None:
            return AccountHeat()
        if value is False or isinstance(value, AccountHeat):
            return value
        if not isinstance(value, dict):
            raise ValueError("should be {leads: N, days: D} or false")
        try:
            return AccountHeat.model_validate(value)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
            )
            raise ValueError(problems) from None

    # strict: ``base: 2.5`` or ``base: true`` is a typo, not a whole number of points.
    base: int = Field(default=0, strict=True)
    """Points every lead starts with: score = clamp(base + fit + behaviour)."""
    max_rules: int = Field(default=15, ge=1, strict=True)
    """The most rules (fit and behaviour together) a calibration suggestion may hold."""
    fitted_until: AwareDatetime | None = None
    """End of the calibration window these points were fitted on, when they came from one.

    A suggestion's points are fitted on the training side of the deals closed
    before this moment, so only those deals cannot judge it fairly; a rule
    set without it (written by hand) was fitted on no deal, and calibration
    judges its ranking on every deal in the window.
    """

    @cached_property
    def behavior_by_kind(self) -> dict[str, list[int]]:
        """Positions of the behaviour rules by the activity kind they count.

        Replaying a history then looks at the one or two rules an activity's
        kind can match instead of testing every rule against every activity.
        """
        by_kind: dict[str, list[int]] = {}
        for position, rule in enumerate(self.behavior):
            by_kind.setdefault(rule.when.kind_key, []).append(position)
        return by_kind

    def band(self, score: float) -> Band:
        """Name the band a score falls in under these thresholds."""
        if score >= self.thresholds.hot:
            return "hot"
        if score >= self.thresholds.warm:
            return "warm"
        return "cold"

    def clamp(self, score: float) -> float:
        low, high = self.score_range
        return min(max(score, low), high)
