"""A proposed rule and how often it would have counted for each deal at entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scoring.calibration._deals import FloatArray
from scoring.rule_set import BehaviorRule, FitRule

NO_LIMIT = 1e12
"""Upper bound of an "at least" rule: ``between`` needs two finite ends."""

MAX_VALUES_PER_FIELD = 12
CUT_SHARES = (0.03, *(0.1 * k for k in range(1, 10)), 0.97)
"""Quantiles of a number's training values tried as "at least" cut points: the deciles, and
the far tails too, where a small group (the oldest clients, the largest accounts) can
convert quite differently."""
MAX_GROUP = 6
"""Most values an ``in`` candidate groups."""
MIN_GROUP_VALUE = 20
"""Training deals a value needs before its conversion ranks it into a group."""
MAX_CANDIDATES = 150
"""Candidates kept (strongest alone on the training deals first): bounds the selection's cost."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed rule (1 point) and how many times it counts for each deal at entry."""

    kind: Literal["fit", "behavior"]
    rule: FitRule | BehaviorRule
    units: FloatArray
