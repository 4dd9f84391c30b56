"""Hot threshold for suggested scores, rule units, and the suggested rule set itself.

Units: how many times each current rule counted per deal at entry, which
the selection (``_select``) weighs alongside proposed rules.

Hot threshold: the whole point that keeps today's alert volume, i.e. at
which the share of deals that would have entered hot under the suggested
points is closest to the share that entered hot under the current rules. SDRs
get as many alerts as before, aimed better; a cut chosen only to separate
wins from losses (Youden's J) can call 40% of all leads hot and flood the
channel. When no deal (or every deal) entered hot today there is no volume
to keep, and the threshold is the cut that best separates wins from losses
(Youden's J). Warm is kept when it is already below the new hot threshold,
otherwise moved to the same relative position between the bottom of the
range and hot as before.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np

from scoring.calibration._deals import BoolArray, DealMatrix, FloatArray
from scoring.calibration._report import CalibrationReport
from scoring.calibration._stats import youden_threshold
from scoring.rule_set import (
    ActivityCondition,
    BehaviorRule,
    FieldCondition,
    FitRule,
    RuleSet,
    Thresholds,
)


def rule_units(matrix: DealMatrix, current: FloatArray) -> FloatArray:
    """How many times each rule counted per deal: its points at entry ÷ its current points.

    1 for a rule that fired once at full value, 3 for a behaviour rule that
    counted three times, 0.8 for one decayed to 80%. The fit uses these, not
    "fired or not", because ``rescored`` (and the stored rule set) multiply
    the new points by the same counts: a model fitted on 0/1 would suggest
    points meant per rule but applied per count, overweighting repeatable
    behaviour. A rule at 0 points has no count to recover; it counts as 0/1.
    """
    units = np.divide(matrix.hits, current, out=np.zeros_like(matrix.hits), where=current != 0)
    # + 0.0 turns the -0.0 of 0 ÷ negative points into 0.0, so equal columns compare equal
    return np.where(current != 0, units, matrix.fired.astype(np.float64)) + 0.0


def hot_threshold(
    scores: FloatArray,
    entry: FloatArray,
    won: BoolArray,
    current_hot: float,
    score_range: tuple[float, float],
) -> float | None:
    """The volume-keeping hot threshold under the suggested scores (a whole point in range)."""
    if scores.size == 0:
        return None
    share = float(np.mean(entry >= current_hot))
    low, high = math.ceil(score_range[0]), math.floor(score_range[1])
    if share in (0.0, 1.0):
        cut = youden_threshold(scores, won)
        return None if cut is None else float(min(max(math.floor(cut), low), high))
    low, high = math.ceil(score_range[0]), math.floor(score_range[1])
    candidates = np.arange(low, high + 1, dtype=float)
    hot_shares = (scores[None, :] >= candidates[:, None]).mean(axis=1)
    gaps = np.abs(hot_shares - share)
    closest = np.nonzero(gaps <= gaps.min() + 1e-12)[0]
    return float(candidates[closest[-1]])  # on a tie, the higher (fewer alerts)


def adjusted_thresholds(
    thresholds: Thresholds, hot: float | None, score_range: tuple[float, float]
) -> Thresholds:
    """Thresholds with ``hot`` replaced, warm kept strictly below it."""
    if hot is None:
        return thresholds
    if thresholds.warm < hot:
        return Thresholds(hot=hot, warm=thresholds.warm)
    low = score_range[0]
    span = thresholds.hot - low
    share = (thresholds.warm - low) / span if span > 0 else 1.0
    warm = float(math.floor(low + (hot - low) * share))
    if warm >= hot:
        warm = hot - 1.0
    return Thresholds(hot=hot, warm=warm)


def _points_for(report: CalibrationReport) -> dict[tuple[str, str], float]:
    return {
        (row.kind, row.name): float(row.suggested_points)
        for row in report.rules
        if not row.new and row.suggested_points is not None
    }


def _updated(rules: list[Any], kind: str, suggested: dict[tuple[str, str], float]) -> list[Any]:
    """Current rules with suggested points; a rule suggested at 0 points is dropped."""
    kept = []
    for rule in rules:
        points = suggested.get((kind, rule.name))
        if points is None:
            kept.append(rule)
        elif points != 0:
            kept.append(rule.model_copy(update={"points": points}))
    return kept


def _new_rules(report: CalibrationReport, kind: str) -> list[Any]:
    rows = [row for row in report.rules if row.new and row.kind == kind and row.suggested_points]
    if kind == "fit":
        return [
            FitRule(name=row.name, when=FieldCondition.model_validate(row.when), points=points)
            for row in rows
            if (points := float(row.suggested_points or 0))
        ]
    return [
        BehaviorRule(
            name=row.name,
            when=ActivityCondition.model_validate(row.when),
            points=float(row.suggested_points or 0),
            max_count=row.max_count,
        )
        for row in rows
    ]


def suggested_rule_set(
    report: CalibrationReport, rule_set: RuleSet, *, fitted_until: datetime | None = None
) -> RuleSet:
    """The rule set with the report's suggestions applied, ready to store as a new version.

    Current rules keep their names, conditions and caps (so explanations and
    history still line up) and take the suggested points; a rule the
    selection left out (suggested 0) is dropped; discovered rules are added
    after them; the base and hot threshold change when the report suggests
    them. ``fitted_until`` (the end of the report's window) is recorded in the
    rule set, so later calibrations know which deals its points were fitted on.
    """
    suggested = _points_for(report)
    thresholds = adjusted_thresholds(
        rule_set.thresholds, report.suggested_hot_threshold, rule_set.score_range
    )
    base = report.base.suggested_points
    return rule_set.model_copy(
        update={
            "fit": _updated(rule_set.fit, "fit", suggested) + _new_rules(report, "fit"),
            "behavior": _updated(rule_set.behavior, "behavior", suggested)
            + _new_rules(report, "behavior"),
            "thresholds": thresholds,
            "base": rule_set.base if base is None else base,
            "fitted_until": fitted_until or rule_set.fitted_until,
        }
    )
