"""Textbook statistics for calibration, hand-written with numpy.

Scoring must not need SciPy or scikit-learn at run time, and each formula is
short enough to check against values worked out by hand (see the tests).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

Z_95 = 1.959963984540054
"""Two-sided 95% standard normal quantile."""


def rate(won: int, closed: int) -> float | None:
    """Conversion rate, or None when nothing closed (0/0 is not 0%)."""
    return won / closed if closed > 0 else None


def wilson_interval(won: int, closed: int, *, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval for a conversion rate (95% by default).

    Chosen over the normal approximation because score bands are often small
    and their conversion close to 0 or 1, where the normal interval leaves
    [0, 1] or collapses to a single point.
    """
    if closed <= 0:
        return None
    if not 0 <= won <= closed:
        raise ValueError(f"won ({won}) must be between 0 and closed ({closed})")
    p = won / closed
    z2 = z * z
    denominator = 1 + z2 / closed
    centre = (p + z2 / (2 * closed)) / denominator
    half = z * math.sqrt(p * (1 - p) / closed + z2 / (4 * closed * closed)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of the ranks they span."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last_rank = np.cumsum(counts)
    return (last_rank - (counts - 1) / 2.0)[inverse.reshape(-1)]


def _two_classes(
    scores: ArrayLike, won: ArrayLike
) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """Scores and outcomes as flat arrays with the count of each class; None if one is missing."""
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(won, dtype=np.bool_).reshape(-1)
    if s.shape != y.shape:
        raise ValueError("scores and won must have the same length")
    positives = int(y.sum())
    negatives = int(y.size) - positives
    if positives == 0 or negatives == 0:
        return None
    return s, y, positives, negatives


def auc(scores: ArrayLike, won: ArrayLike) -> float | None:
    """Chance that a random won deal scored above a random lost one (ties count half).

    This is what "the score still predicts who buys" means independently of
    any threshold. Mann-Whitney U from average ranks, so O(n log n) and exact
    with ties. None when all deals were won or all lost.
    """
    classes = _two_classes(scores, won)
    if classes is None:
        return None
    s, y, positives, negatives = classes
    u = float(_average_ranks(s)[y].sum()) - positives * (positives + 1) / 2.0
    return u / (positives * negatives)


def youden_threshold(scores: ArrayLike, won: ArrayLike) -> float | None:
    """The score cut-off (hot at ``score >= cut``) that maximises Youden's J.

    J = share of won deals at or above the cut minus share of lost deals at or
    above it. It needs no target ratio or cost figures, and it is where the
    score separates buyers from non-buyers best. Among equal J the highest cut
    wins (fewer alerts for the same separation). None when J is never
    positive (the score does not separate) or one class is missing.
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(won, dtype=np.bool_).reshape(-1)
    positives = int(y.sum())
    negatives = int(y.size) - positives
    if positives == 0 or negatives == 0:
        return None
    values, inverse = np.unique(s, return_inverse=True)
    inverse = inverse.reshape(-1)
    won_at = np.bincount(inverse, weights=y.astype(np.float64), minlength=values.size)
    all_at = np.bincount(inverse, minlength=values.size).astype(np.float64)
    won_above = np.cumsum(won_at[::-1])[::-1]
    lost_above = np.cumsum((all_at - won_at)[::-1])[::-1]
    j = won_above / positives - lost_above / negatives
    best = values.size - 1 - int(np.argmax(j[::-1]))
    if j[best] <= 0:
        return None
    return float(values[best])


def auc_interval(
    scores: ArrayLike, won: ArrayLike, *, z: float = Z_95
) -> tuple[float, float, float] | None:
    """AUC with its 95% interval (DeLong et al. 1988): ``(auc, low, high)``.

    The interval is what tells "no signal" from a ranking: on a few hundred
    deals an AUC of 0.55 is as likely luck as skill. DeLong's variance comes
    from each deal's own share of the comparisons (midranks, so O(n log n)),
    which stays right when scores tie a lot, as rule scores do (a formula
    from the AUC and the class sizes alone, such as Hanley-McNeil's, assumes
    continuous scores and is too narrow then). None when one class is missing.
    """
    classes = _two_classes(scores, won)
    if classes is None:
        return None
    s, y, positives, negatives = classes
    ranks = _average_ranks(s)
    won_ranks, lost_ranks = ranks[y], ranks[~y]
    # each won deal: share of lost deals it outranks; each lost deal: share of won deals above it
    above_lost = (won_ranks - _average_ranks(s[y])) / negatives
    below_won = 1.0 - (lost_ranks - _average_ranks(s[~y])) / positives
    value = float(above_lost.mean())  # the AUC itself (Mann-Whitney U ÷ pairs)
    variance = float(above_lost.var(ddof=1)) / positives if positives > 1 else 0.0
    variance += float(below_won.var(ddof=1)) / negatives if negatives > 1 else 0.0
    half = z * math.sqrt(max(variance, 0.0))
    return value, max(0.0, value - half), min(1.0, value + half)
