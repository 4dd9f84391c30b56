"""Score one lead against a rule set, with an explanation rule by rule.

Behaviour is replayed in time order: each activity earns its rule's points,
and every idle gap longer than the grace period decays what was earned before
it. A new activity resets the idle clock but does not bring back points that
already decayed. ``max_count`` keeps the most recent matches. Negative
behaviour points (e.g. an unsubscribe) are a fact about the lead, not
engagement, so they never decay; this keeps decay from ever raising a score.
The replay is ``scoring.tally``'s fold, which the ingest path also uses to
add a lead's newest activities to its stored tally without the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from scoring.conditions import LeadLike, field_reader
from scoring.decay import decay_factor, idle_days
from scoring.rule_set import Band, RuleSet
from scoring.tally import Tally, counts, replay


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
    base: float = 0.0


def fit_hits(rule_set: RuleSet, lead: LeadLike) -> list[RuleHit]:
    """The fit rules that match the lead, with their points."""
    return [
        RuleHit(name=rule.name, kind="fit", points=rule.points, count=1)
        for rule in rule_set.fit
        if rule.when.matcher(lead)
    ]


def tally_hits(rule_set: RuleSet, tally: Tally) -> list[RuleHit]:
    """The behaviour rules' contributions as of the tally's latest activity, in rule order."""
    hits: list[RuleHit] = []
    for rule, slot in zip(rule_set.behavior, tally.slots, strict=True):
        count, weight = counts(rule, slot)
        if not count:
            continue
        hits.append(
            RuleHit(
                name=rule.name,
                kind="behavior",
                points=rule.points * count if rule.points < 0 else rule.points * weight,
                count=count,
                max_count=rule.max_count,
                intent=rule.intent,
            )
        )
    return hits


def score_lead(
    rule_set: RuleSet,
    lead: LeadLike,
    activities: Iterable[ActivityRecord],
    *,
    now: datetime,
) -> LeadScore:
    """Score a lead at ``now`` from its profile and full activity history."""
    return score_tallied(rule_set, lead, replay(rule_set, None, activities), now=now)


def score_tallied(rule_set: RuleSet, lead: LeadLike, tally: Tally, *, now: datetime) -> LeadScore:
    """Score a lead at ``now`` from its profile and its behaviour tally."""
    fits = fit_hits(rule_set, lead)
    return _with_behavior(rule_set, fits, sum(h.points for h in fits), tally, now)


def fit_points(rule_set: RuleSet, lead: LeadLike) -> float:
    """The fit score alone: ``fit_hits``' total, without the explanation."""
    return sum(rule.points for rule in rule_set.fit if rule.when.matcher(lead))


def fit_flags(rule_set: RuleSet, lead: LeadLike) -> str:
    """Which fit rules match, ``1`` or ``0`` per rule in order, as stored with the lead.

    A rule change that moves only points rescores from these flags without
    reading any profile; ``flagged_points`` is the fit they give.
    """
    return "".join("1" if rule.when.matcher(lead) else "0" for rule in rule_set.fit)


_REMEMBERED_TYPES = (str, int, bool, type(None))
"""Value types a fit decision is remembered for: equal values of one of these types are
the same text to every operator (a float's is not: ``0.0`` and ``-0.0`` read differently)."""


class FitFlagMemo:
    """``fit_flags`` for many leads, each rule decided once per distinct value of its field.

    A fit condition looks at one field of the lead and nothing else, and an
    import's leads repeat a few values per field (a job, a yes/no, a country),
    so a decision is looked up by the field's value (and its type, as ``1``
    and ``True`` compare equal) instead of evaluated again. Values of other
    types (floats, lists, documents) are evaluated every time. At most
    ``max_values`` values are remembered per rule.
    """

    def __init__(self, rule_set: RuleSet, *, max_values: int = 4_096) -> None:
        self._rules: list[tuple[Callable[[Any], Any], Callable[[Any], bool], dict[Any, str]]] = [
            (field_reader(rule.when.field), rule.when.matcher, {}) for rule in rule_set.fit
        ]
        self._max_values = max_values

    def flags(self, lead: LeadLike) -> str:
        """``fit_flags(rule_set, lead)``, the same text."""
        out: list[str] = []
        for read, matcher, known in self._rules:
            value = read(lead)
            if type(value) in _REMEMBERED_TYPES:
                key = (type(value), value)
                flag = known.get(key)
                if flag is None:
                    flag = "1" if matcher(lead) else "0"
                    if len(known) < self._max_values:
                        known[key] = flag
            else:
                flag = "1" if matcher(lead) else "0"
            out.append(flag)
        return "".join(out)


def flagged_points(rule_set: RuleSet, flags: str) -> float:
    """``fit_points`` from stored ``fit_flags``, summed in rule order as ``fit_points`` does."""
    return sum(rule.points for rule, flag in zip(rule_set.fit, flags, strict=True) if flag == "1")


def score_flagged(rule_set: RuleSet, flags: str) -> LeadScore:
    """``score_lead`` of a lead with no activity, from its ``fit_flags``: the same numbers and hits.

    With no activity there is no behaviour and nothing decays, so only the
    fit rules that match count, and what the profile is needs no second look.
    """
    fits = [
        RuleHit(name=rule.name, kind="fit", points=rule.points, count=1)
        for rule, flag in zip(rule_set.fit, flags, strict=True)
        if flag == "1"
    ]
    return assemble_score(
        rule_set,
        fit=sum(h.points for h in fits),
        behavior_decaying=0.0,
        behavior_fixed=0.0,
        factor=1.0,
        hits=tuple(fits),
    )


def score_totals(rule_set: RuleSet, fit: float, tally: Tally, *, now: datetime) -> LeadScore:
    """A lead's score from its known fit and its tally, without the hits that explain it.

    The ingest path rescores every lead a batch touches and stores only the
    numbers; building a ``RuleHit`` per rule (twice, before and after decay)
    was most of that work. ``score_tallied`` adds the hits to these same
    numbers, so what is stored is exactly what ``leadscore score`` explains.
    """
    decaying = fixed = 0.0
    for rule, slot in zip(rule_set.behavior, tally.slots, strict=True):
        if not slot:
            continue
        count, weight = counts(rule, slot)
        if not count:
            continue
        if rule.points < 0:
            fixed += rule.points * count
        elif rule.points > 0:
            decaying += rule.points * weight
    factor = 1.0
    if tally.last_at is not None:
        factor = decay_factor(rule_set.decay, idle_days(tally.last_at, now))
    return assemble_score(
        rule_set,
        fit=fit,
        behavior_decaying=decaying,
        behavior_fixed=fixed,
        factor=factor,
        last_activity_at=tally.last_at,
    )


def _with_behavior(
    rule_set: RuleSet,
    fits: list[RuleHit],
    fit: float,
    tally: Tally,
    now: datetime,
) -> LeadScore:
    """The numbers as ingest stores them, and the hits that explain them."""
    totals = score_totals(rule_set, fit, tally, now=now)
    decayed = [
        RuleHit(h.name, h.kind, h.points * totals.decay_factor, h.count, h.max_count, h.intent)
        if h.points > 0
        else h
        for h in tally_hits(rule_set, tally)
    ]
    return replace(totals, hits=(*fits, *decayed))


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
    """Combine the parts into the clamped total (the same formula the decay SQL uses).

    ``base`` is part of the total but neither fit nor behaviour: it never
    decays and no rule explains it, so the explanation shows it on its own.
    """
    behavior = behavior_decaying * factor + behavior_fixed
    score = rule_set.clamp(rule_set.base + fit + behavior)
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
        base=float(rule_set.base),
    )
