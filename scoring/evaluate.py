"""Score one lead against a rule set, with an explanation rule by rule.

Behaviour is replayed in time order: each activity earns its rule's points,
and every idle gap longer than the grace period decays what was earned before
it. A new activity resets the idle clock but does not bring back points that
already decayed. ``max_count`` keeps the most recent matches. Negative
behaviour points (e.g. an unsubscribe) are a fact about the lead, not
engagement, so they never decay; this keeps decay from ever raising a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from scoring.conditions import LeadLike
from scoring.decay import decay_factor, idle_days
from scoring.rule_set import Band, RuleSet


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """Who the lead is: the fields fit and routing conditions look at."""

    email: str
    name: str | None = None
    title: str | None = None
    company: str | None = None
    company_size: int | None = None
    industry: str | None = None
    country: str | None = None
    region: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One thing the lead did."""

    kind: str
    occurred_at: datetime
    url: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """What one rule contributed: ``points`` are after caps and decay."""

    name: str
    kind: Literal["fit", "behavior"]
    points: float
    count: int
    max_count: int | None = None
    intent: bool = False


@dataclass(frozen=True, slots=True)
class LeadScore:
    """A lead's score at one instant, and everything needed to explain it.

    ``behavior_decaying`` is the positive behaviour as of ``last_activity_at``
    and ``behavior_fixed`` the non-decaying negative part, so that storage can
    decay every lead with one set-based UPDATE.
    """

    score: float
    fit: float
    behavior: float
    band: Band
    hits: tuple[RuleHit, ...]
    last_activity_at: datetime | None
    behavior_decaying: float
    behavior_fixed: float
    decay_factor: float


def fit_hits(rule_set: RuleSet, lead: LeadLike) -> list[RuleHit]:
    """The fit rules that match the lead, with their points."""
    return [
        RuleHit(name=rule.name, kind="fit", points=rule.points, count=1)
        for rule in rule_set.fit
        if rule.when.matcher(lead)
    ]


def _idle_exponents(times: Sequence[datetime], rule_set: RuleSet) -> list[float]:
    """For each activity, the decaying idle days between it and the last activity."""
    grace = rule_set.decay.grace_days
    exponents = [0.0] * len(times)
    for i in range(len(times) - 2, -1, -1):
        gap = idle_days(times[i], times[i + 1])
        exponents[i] = exponents[i + 1] + max(0.0, gap - grace)
    return exponents


def behavior_hits(
    rule_set: RuleSet, activities: Iterable[ActivityRecord]
) -> tuple[list[RuleHit], datetime | None]:
    """Behaviour contributions as of the last activity (decay between activities applied)."""
    ordered = sorted(activities, key=lambda a: a.occurred_at)
    if not ordered:
        return [], None
    times = [a.occurred_at for a in ordered]
    exponents = _idle_exponents(times, rule_set)
    rate = rule_set.decay.monthly_rate
    hits: list[RuleHit] = []
    matched = _matches_by_rule(rule_set, ordered)
    for position, rule in enumerate(rule_set.behavior):
        found = matched.get(position)
        if not found:
            continue
        kept = found[-rule.max_count :] if rule.max_count else found
        if rule.points < 0:
            points = rule.points * len(kept)
        else:
            points = sum(rule.points * (1.0 - rate) ** (exponents[i] / 30.0) for i in kept)
        hits.append(
            RuleHit(
                name=rule.name,
                kind="behavior",
                points=points,
                count=len(kept),
                max_count=rule.max_count,
                intent=rule.intent,
            )
        )
    return hits, times[-1]


def _matches_by_rule(rule_set: RuleSet, ordered: Sequence[ActivityRecord]) -> dict[int, list[int]]:
    """For each behaviour rule's position, the positions of the activities it counts."""
    by_kind = rule_set.behavior_by_kind
    rules = rule_set.behavior
    kinds: dict[str, str] = {}
    matched: dict[int, list[int]] = {}
    for i, activity in enumerate(ordered):
        kind = kinds.get(activity.kind)
        if kind is None:
            kind = kinds[activity.kind] = activity.kind.strip().casefold()
        for position in by_kind.get(kind, ()):
            if rules[position].when.detail_matcher(activity):
                matched.setdefault(position, []).append(i)
    return matched


def score_lead(
    rule_set: RuleSet,
    lead: LeadLike,
    activities: Iterable[ActivityRecord],
    *,
    now: datetime,
) -> LeadScore:
    """Score a lead at ``now`` from its profile and full activity history."""
    fits = fit_hits(rule_set, lead)
    return _with_behavior(rule_set, fits, sum(h.points for h in fits), activities, now)


def rescore_behavior(
    rule_set: RuleSet, fit: float, activities: Iterable[ActivityRecord], *, now: datetime
) -> LeadScore:
    """``score_lead`` for a lead whose profile and rule set are as when ``fit`` was computed.

    Most events are activities of known leads: their fit cannot have changed,
    so the ingest path skips the fit rules. The hits then hold only the
    behaviour rules; explanations (``leadscore score``) use ``score_lead``.
    """
    return _with_behavior(rule_set, [], fit, activities, now)


def _with_behavior(
    rule_set: RuleSet,
    fits: list[RuleHit],
    fit: float,
    activities: Iterable[ActivityRecord],
    now: datetime,
) -> LeadScore:
    behaviours, last_activity_at = behavior_hits(rule_set, activities)
    factor = 1.0
    if last_activity_at is not None:
        factor = decay_factor(rule_set.decay, idle_days(last_activity_at, now))
    decaying = sum(h.points for h in behaviours if h.points > 0)
    fixed = sum(h.points for h in behaviours if h.points < 0)
    decayed = [
        RuleHit(h.name, h.kind, h.points * factor, h.count, h.max_count, h.intent)
        if h.points > 0
        else h
        for h in behaviours
    ]
    return assemble_score(
        rule_set,
        fit=fit,
        behavior_decaying=decaying,
        behavior_fixed=fixed,
        factor=factor,
        hits=(*fits, *decayed),
        last_activity_at=last_activity_at,
    )


def assemble_score(
    rule_set: RuleSet,
    *,
    fit: float,
    behavior_decaying: float,
    behavior_fixed: float,
    factor: float,
    hits: tuple[RuleHit, ...] = (),
    last_activity_at: datetime | None = None,
) -> LeadScore:
    """Combine the parts into the clamped total (the same formula the decay SQL uses)."""
    behavior = behavior_decaying * factor + behavior_fixed
    score = rule_set.clamp(fit + behavior)
    return LeadScore(
        score=score,
        fit=fit,
        behavior=behavior,
        band=rule_set.band(score),
        hits=hits,
        last_activity_at=last_activity_at,
        behavior_decaying=behavior_decaying,
        behavior_fixed=behavior_fixed,
        decay_factor=factor,
    )
