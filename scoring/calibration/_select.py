"""Sparse rule selection and whole points, on the training deals only.

Forward selection: starting from no rule, add the column whose score
statistic (gradient² ÷ information given the current logistic fit) is largest,
refit, and repeat up to ``max_rules`` times. The fitting part of the
training deals orders the rules; the validation part (the rest of the
training deals, chosen by hash) says how many of them to keep: the shortest
path whose validation deviance is within ``_TOLERANCE`` of the best. The
held-out deals are never seen, so the held-out AUC stays an honest test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.calibration._deals import BoolArray, FloatArray
from scoring.calibration._logistic import LogisticFit, fit_logistic

_TOLERANCE = 2.0
"""Validation deviance (nats) a shorter rule list may give up: about one parameter's worth."""

_STEPS = 2
"""Newton steps per path point, from the previous fit: enough to rank the next column."""

_SPANNED = 1e-6
"""Share of a column's information left, once the chosen rules explain it, below which it adds
nothing."""

_END_SHARE = 0.01
"""Share of training deals allowed at or beyond each end of the range before clamping."""

_MARGIN = 0.05
"""Share of the range kept free at each end, so leads more extreme than any seen still rank."""


def _deviance(fit: LogisticFit, units: FloatArray, won: BoolArray) -> float:
    eta = fit.intercept + units @ fit.coefficients
    y = won.astype(np.float64)
    return float(2.0 * np.sum(np.logaddexp(0.0, eta) - y * eta))


def _explained(units: FloatArray, chosen: list[int], weights: FloatArray) -> FloatArray:
    """Information each column shares with the chosen ones (and the intercept).

    Subtracting it makes the statistic a true score test given the rules
    already in, so a column that only repeats a chosen rule scores near 0
    and the next pick adds something new.
    """
    design = np.hstack([np.ones((units.shape[0], 1)), units[:, chosen]])
    weighted = design * weights[:, None]
    cross = units.T @ weighted  # columns × (intercept + chosen)
    inverse = np.linalg.pinv(design.T @ weighted)
    return np.einsum("ij,jk,ik->i", cross, inverse, cross)


def _overlapping(units: FloatArray, fields: Sequence[str | None], chosen: int) -> BoolArray:
    """Columns on the same field as ``chosen`` that count for some deal it counts for too."""
    field = fields[chosen]
    if field is None:
        return np.zeros(units.shape[1], dtype=np.bool_)
    same = np.array([other == field for other in fields], dtype=np.bool_)
    shared = (units[:, same] != 0) & (units[:, [chosen]] != 0)
    found = np.zeros(units.shape[1], dtype=np.bool_)
    found[np.flatnonzero(same)] = shared.any(axis=0)
    return found


def forward_select(
    units: FloatArray,
    won: BoolArray,
    fitting: BoolArray,
    *,
    max_rules: int,
    fields: Sequence[str | None] | None = None,
) -> list[int]:
    """Columns of ``units`` (training deals × candidate rules) to keep, in order of entry.

    ``fields`` names, per column, the field of a value rule (``equals`` or
    ``in``), None for any other. Once one is chosen, value rules on the same
    field that share a deal with it are out: the rules then split a field's
    values into groups of their own, each read on its own, instead of
    spending the budget on nested groups that only add up to one value's
    points.
    """
    blocked = np.zeros(units.shape[1], dtype=np.bool_)
    x_fit, y_fit = units[fitting], won[fitting]
    x_check, y_check = units[~fitting], won[~fitting]
    if x_fit.shape[0] == 0 or x_check.shape[0] == 0 or y_fit.all() or not y_fit.any():
        return []
    squares = x_fit * x_fit
    chosen: list[int] = []
    path: list[float] = []
    rate = float(y_fit.mean())
    eta = np.full(x_fit.shape[0], np.log(rate / (1.0 - rate)))
    fit = LogisticFit(np.zeros(0), np.zeros(0), intercept=float(eta[0]))
    path.append(_deviance(fit, x_check[:, []], y_check))
    for _ in range(min(max_rules, units.shape[1])):
        p = 1.0 / (1.0 + np.exp(-eta))
        weights = p * (1.0 - p)
        gradient = x_fit.T @ (y_fit - p)
        raw = squares.T @ weights
        information = raw - _explained(x_fit, chosen, weights)
        # A column the chosen ones (and the intercept) already span has no information
        # left; its gradient is then rounding from the unconverged fit, not evidence.
        spanned = information <= _SPANNED * raw
        statistic = gradient * gradient / np.maximum(information, 1e-9)
        statistic[spanned] = -1.0
        statistic[chosen] = -1.0
        statistic[blocked] = -1.0
        best = int(np.argmax(statistic))
        if statistic[best] < 1.0:  # no column moves the fit at all
            break
        chosen.append(best)
        if fields is not None:
            blocked |= _overlapping(x_fit, fields, best)
        start = np.concatenate([[fit.intercept], fit.coefficients, [0.0]])
        found = fit_logistic(x_fit[:, chosen], y_fit, l2=1.0, start=start, iterations=_STEPS)
        if found is None:
            chosen.pop()
            break
        fit = found
        eta = fit.intercept + x_fit[:, chosen] @ fit.coefficients
        path.append(_deviance(fit, x_check[:, chosen], y_check))
    best_deviance = min(path)
    keep = next(k for k, value in enumerate(path) if value <= best_deviance + _TOLERANCE)
    return chosen[:keep]


@dataclass(frozen=True, slots=True)
class Points:
    """Whole points per selected column, and the base that centres the scores in the range."""

    points: FloatArray
    base: int


def to_points(
    fit: LogisticFit, units: FloatArray, fixed: FloatArray, score_range: tuple[float, float]
) -> Points:
    """Turn log-odds into whole points on the rule set's scale, and pick the base.

    One factor for every rule keeps the order of the model's predictions: the
    1st–99th percentile of the training deals' predictions is stretched over
    90% of the range, and the base shifts it so that about 1% of deals sit
    at each end (clamping ties everyone there, which is what hurt the AUC).
    ``fixed`` is what rules kept unchanged add per deal.
    """
    low, high = score_range
    span = high - low
    eta = units @ fit.coefficients
    q_low, q_high = np.quantile(eta, [_END_SHARE, 1.0 - _END_SHARE]) if eta.size else (0.0, 0.0)
    if q_high - q_low > 1e-9:
        scale = (1.0 - 2 * _MARGIN) * span / (q_high - q_low)
    else:
        largest = float(np.abs(fit.coefficients).max()) if fit.coefficients.size else 0.0
        scale = 0.5 * span / largest if largest > 0 else 0.0
    points = np.round(fit.coefficients * scale) + 0.0
    totals = units @ points + fixed
    bottom = float(np.quantile(totals, _END_SHARE)) if totals.size else 0.0
    top = float(np.quantile(totals, 1.0 - _END_SHARE)) if totals.size else 0.0
    base = round(low + _MARGIN * span - bottom)
    if top - bottom < (1.0 - _MARGIN) * span:  # a narrow spread: centre it instead
        base = round(low + span / 2 - (top + bottom) / 2)
    return Points(points=points, base=int(base))
