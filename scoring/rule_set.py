"""Typed model of a rule set, as written in the contract's YAML format.

The models are strict (unknown keys are errors) so that a typo in a rule file
is reported instead of silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class RoutingRule(_Strict):
    """Where a hot lead is posted; the first rule whose ``when`` matches wins."""

    when: FieldCondition | None = None
    channel: str = Field(min_length=1)
    assignees: list[str] = Field(default_factory=list)


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
    # strict: ``base: 2.5`` or ``base: true`` is a typo, not a whole number of points.
    base: int = Field(default=0, strict=True)
    """Points every lead starts with: score = clamp(base + fit + behaviour)."""
    max_rules: int = Field(default=15, ge=1, strict=True)
    """The most rules (fit and behaviour together) a calibration suggestion may hold."""

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
