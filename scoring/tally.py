"""What a lead's behaviour has earned, rule by rule, kept up to date one activity at a time.

Replaying a lead's whole history on every event costs time in proportion to
the history, and the leads with the longest histories are the engaged ones
an SDR most wants to hear about. A tally holds, for each behaviour rule, the
decay weight of every match the rule keeps (or, for a rule without
``max_count``, how many matches and the sum of their weights), as of the
lead's latest activity. A newer activity first shrinks every weight by the
idle gap since the previous one, then adds its own matches at weight 1, so
the behaviour score follows from the tally without the history.

A full replay is the same fold started from an empty tally, so the two ways
agree to the last bit. An activity older than the latest one cannot be
folded in (the weights of what came after it would change): the caller
replays the history instead, as it does when the rule set changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.conditions import ActivityLike
from scoring.decay import DAYS_PER_PERIOD, decaying_days, idle_days
from scoring.rule_set import BehaviorRule, RuleSet

Slot = list[float] | None
"""One behaviour rule's part of a tally: None before its first match; for a
rule with ``max_count``, the weights of the matches it keeps, oldest first;
for a rule without, ``[count, sum of weights]``."""


@dataclass(slots=True)
class Tally:
    """A lead's behaviour earnings as of ``last_at``, one slot per behaviour rule.

    Stored as the JSON list ``[version, latest, slot, slot, ...]`` (see
    ``document``), where ``latest`` is ``last_at`` as a POSIX timestamp: that
    list is also what the fold works on, so reading and writing a lead costs
    one JSON decode and encode and no conversion.
    """

    version: int | None
    last_at: datetime | None
    slots: list[Slot]

    def takes(self, version: int, batch: Sequence[ActivityLike]) -> bool:
        """Whether ``batch`` (in time order) can be folded in under rule set ``version``.

        Not when the tally is of another version, nor when the batch holds an
        activity older than the latest one folded in.
        """
        if self.version != version:
            return False
        return not batch or self.last_at is None or batch[0].occurred_at >= self.last_at

    def document(self) -> list[Any]:
        """The tally as stored (floats round-trip exactly through JSON)."""
        return [self.version, _stamp(self.last_at), *self.slots]


def empty(rule_set: RuleSet, version: int | None) -> Tally:
    return Tally(version, None, [None] * len(rule_set.behavior))


def from_document(document: Sequence[Any] | None, last_at: datetime | None) -> Tally | None:
    """The stored tally of a lead whose latest activity is at ``last_at``; None if unusable.

    None when there is none (a lead scored before tallies existed), or when
    it covers another latest activity than the lead's: something that does
    not keep the tally (a replica of an earlier release, during a rolling
    upgrade) has stored activities since, and only the history knows them.
    """
    if not document or document[1] != _stamp(last_at):
        return None
    return Tally(document[0], last_at, list(document[2:]))


def _stamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def counts(rule: BehaviorRule, slot: Slot) -> tuple[int, float]:
    """How many matches a rule counts and the sum of their decay weights."""
    if not slot:
        return 0, 0.0
    if rule.max_count:
        # Added left to right, as the set-based rescoring's SQL adds them
        # (from Python 3.12 on, sum() compensates float rounding).
        weight = 0.0
        for kept in slot:
            weight += kept
        return len(slot), weight
    return int(slot[0]), slot[1]


def fold(rule_set: RuleSet, tally: Tally, activities: Iterable[ActivityLike]) -> None:
    """Add activities, in time order and none older than ``tally.last_at``, to the tally.

    Raises ``ValueError`` for an activity older than the one before it: the
    caller must replay the whole history instead.
    """
    by_kind = rule_set.behavior_by_kind
    rules = rule_set.behavior
    decay = rule_set.decay
    shrink = 1.0 - decay.monthly_rate
    slots = tally.slots
    for activity in activities:
        at = activity.occurred_at
        if tally.last_at is not None:
            if at < tally.last_at:
                raise ValueError("activities must be folded in time order")
            idle = decaying_days(decay, idle_days(tally.last_at, at))
            if idle > 0 and shrink != 1.0:
                _shrink(rules, slots, shrink ** (idle / DAYS_PER_PERIOD))
        tally.last_at = at
        for position in by_kind.get(activity.kind.strip().casefold(), ()):
            rule = rules[position]
            if not rule.when.detail_matcher(activity):
                continue
            slot = slots[position]
            if rule.max_count:
                slots[position] = [*(slot or ()), 1.0][-rule.max_count :]  # oldest drops out
            elif slot is None:
                slots[position] = [1, 1.0]
            else:
                slot[0] += 1
                slot[1] += 1.0


def _shrink(rules: Sequence[BehaviorRule], slots: list[Slot], factor: float) -> None:
    for position, slot in enumerate(slots):
        if not slot:
            continue
        if rules[position].max_count:
            slots[position] = [weight * factor for weight in slot]
        else:
            slot[1] *= factor


def replay(rule_set: RuleSet, version: int | None, activities: Iterable[ActivityLike]) -> Tally:
    """The tally of a whole history, in any order (sorted here by time)."""
    tally = empty(rule_set, version)
    fold(rule_set, tally, sorted(activities, key=lambda a: a.occurred_at))
    return tally
