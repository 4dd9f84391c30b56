"""What a rule change means for the scores already stored.

A new rule set that keeps every condition, every ``max_count`` and the decay
of the active one, in the same order, changes only what matches are worth:
each lead's behaviour tally (``scoring.tally``) and fit flags
(``scoring.evaluate.fit_flags``) still hold, and its new score follows from
them without its history. Points, ``base``, thresholds, the score range,
names, ``intent``, routing and the SLA may all differ. Anything else (a rule
added, removed, moved or with another condition) needs each lead's history.
"""

from __future__ import annotations

from typing import Any

from scoring.rule_set import RuleSet


def points_only(before: RuleSet, after: RuleSet) -> bool:
    """Whether ``after`` can rescore leads from what ``before`` left stored."""
    return _shape(before) == _shape(after)


def _shape(rule_set: RuleSet) -> tuple[Any, ...]:
    return (
        [rule.when.model_dump(by_alias=True) for rule in rule_set.fit],
        [(rule.when.model_dump(), rule.max_count) for rule in rule_set.behavior],
        rule_set.decay.model_dump(),
    )
