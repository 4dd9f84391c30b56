"""L2-penalised logistic regression by Newton's method (IRLS), and points from it.

Why this model: a rule set is additive, and logistic regression is the
additive model of the log-odds of winning, so a coefficient says how much a
rule firing moves the odds with the other rules held fixed (unlike per-rule
lift, which double-counts rules that fire together). The L2 penalty keeps
coefficients finite when a rule separates perfectly or the window is small;
the intercept is not penalised. Newton steps with step halving are exact and
deterministic: the same deals always give the same suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.calibration._deals import BoolArray, FloatArray

L2_PENALTY = 1.0
"""Ridge penalty on each rule coefficient (in log-odds², summed over deals)."""

CLEAR_EFFECT_Z = 1.959963984540054
"""Wald |z| above which a rule's effect counts as clear (two-sided 5%)."""

_MAX_ITERATIONS = 100
_TOLERANCE = 1e-9


def _penalised_log_likelihood(
    beta: FloatArray, design: FloatArray, y: FloatArray, penalty: FloatArray
) -> float:
    eta = design @ beta
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)) - 0.5 * np.sum(penalty * beta * beta))


@dataclass(frozen=True, slots=True)
class LogisticFit:
    """Rule coefficients (log-odds when the rule fires) and their standard errors."""

    coefficients: FloatArray
    standard_errors: FloatArray
    intercept: float = 0.0

    @property
    def clear(self) -> BoolArray:
        """Rules whose effect is distinguishable from none (Wald |z| >= 1.96)."""
        return np.abs(self.coefficients) >= CLEAR_EFFECT_Z * self.standard_errors


def _hessian(design: FloatArray, beta: FloatArray, penalty: FloatArray) -> FloatArray:
    p = np.exp(-np.logaddexp(0.0, -(design @ beta)))
    return (design.T * (p * (1.0 - p))) @ design + np.diag(penalty)


def fit_logistic(
    indicators: FloatArray,
    won: BoolArray,
    *,
    l2: float = L2_PENALTY,
    start: FloatArray | None = None,
    iterations: int = _MAX_ITERATIONS,
) -> LogisticFit | None:
    """Ridge logistic regression of ``won`` on rule indicators (intercept dropped).

    ``indicators`` is deals × rules: 1.0 where the rule fired once, its count
    where it counted more than once (see ``rule_units``). None when the
    deals were all won or all lost: the odds of winning are then unknowable.
    ``start`` (intercept first) and a few ``iterations`` let a selection
    path take a step from the previous fit instead of solving from scratch.
    """
    n, k = indicators.shape
    y = won.astype(np.float64)
    base_rate = float(y.mean()) if n else 0.0
    if base_rate in (0.0, 1.0):
        return None
    design = np.hstack([np.ones((n, 1)), indicators])
    penalty = np.full(k + 1, float(l2))
    penalty[0] = 0.0
    beta = np.zeros(k + 1)
    beta[0] = np.log(base_rate / (1.0 - base_rate))
    if start is not None:
        beta[: start.size] = start
    current = _penalised_log_likelihood(beta, design, y, penalty)
    try:
        for _ in range(iterations):
            p = np.exp(-np.logaddexp(0.0, -(design @ beta)))
            gradient = design.T @ (y - p) - penalty * beta
            step = np.linalg.solve(_hessian(design, beta, penalty), gradient)
            size = 1.0
            while True:
                candidate = beta + size * step
                value = _penalised_log_likelihood(candidate, design, y, penalty)
                if value >= current - 1e-12 or size < 1e-8:
                    break
                size /= 2.0
            beta, current = candidate, value
            if float(np.max(np.abs(size * step))) < _TOLERANCE:
                break
        covariance = np.linalg.inv(_hessian(design, beta, penalty))
    except np.linalg.LinAlgError:
        return None
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    return LogisticFit(coefficients=beta[1:], standard_errors=errors[1:], intercept=float(beta[0]))
