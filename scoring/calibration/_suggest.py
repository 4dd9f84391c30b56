"""Suggested points and hot threshold, how they would have scored past deals, and applying them.

Points: a ridge logistic regression of ``won`` on how many times each rule
counted at entry (1 for most, up to ``max_count`` for behaviour), fitted on
the training ~70% of deals, scaled onto the current points so that the rules
keep today's total (see ``_logistic``); nothing is suggested when no rule has
a clear effect. A suggested rule set keeps every rule's structure (caps,
decay, fit vs behaviour): a deal's contribution from a rule is rescaled by
suggested ÷ current points, so a behaviour rule that counted 3 times still
counts 3 times at its new value.

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

import numpy as np

from scoring.calibration._deals import BoolArray, DealMatrix, FloatArray
from scoring.calibration._logistic import coefficients_to_points, fit_logistic
from scoring.calibration._report import CalibrationReport
from scoring.calibration._stats import youden_threshold
from scoring.rule_set import RuleSet, Thresholds


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
    return np.where(current != 0, units, matrix.fired.astype(np.float64))


def suggest_points(
    matrix: DealMatrix, current: FloatArray, eligible: BoolArray
) -> tuple[FloatArray, BoolArray]:
    """Points per rule column (current where no suggestion) and which columns have one."""
    points = current.copy()
    if not eligible.any():
        return points, np.zeros_like(eligible)
    train = matrix.training
    fit = fit_logistic(rule_units(matrix, current)[train][:, eligible], matrix.won[train])
    converted = None if fit is None else coefficients_to_points(fit, current[eligible])
    if converted is None:
        return points, np.zeros_like(eligible)
    points[eligible] = converted
    return points, eligible.copy()


def rescored(
    matrix: DealMatrix, current: FloatArray, suggested: FloatArray, score_range: tuple[float, float]
) -> FloatArray:
    """Each deal's entry score re-summed with suggested points, clamped like a real score."""
    ratio = np.divide(suggested, current, out=np.ones_like(current), where=current != 0)
    return np.clip(matrix.other + matrix.hits @ ratio, score_range[0], score_range[1])


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


def suggested_rule_set(report: CalibrationReport, rule_set: RuleSet) -> RuleSet:
    """The rule set with the report's suggestions applied, ready to store as a new version.

    Only rules with a suggestion change, and only their points (names, conditions
    and caps stay, so explanations and history still line up). The hot
    threshold changes when the report suggests one.
    """
    suggested = {
        (row.kind, row.name): float(row.suggested_points)
        for row in report.rules
        if row.suggested_points is not None
    }
    fit = [
        rule.model_copy(update={"points": suggested[("fit", rule.name)]})
        if ("fit", rule.name) in suggested
        else rule
        for rule in rule_set.fit
    ]
    behavior = [
        rule.model_copy(update={"points": suggested[("behavior", rule.name)]})
        if ("behavior", rule.name) in suggested
        else rule
        for rule in rule_set.behavior
    ]
    thresholds = adjusted_thresholds(
        rule_set.thresholds, report.suggested_hot_threshold, rule_set.score_range
    )
    return rule_set.model_copy(update={"fit": fit, "behavior": behavior, "thresholds": thresholds})
