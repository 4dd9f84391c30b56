"""Conversion by score band: the rule set's own bands, and quintiles of the scores.

The rule set's bands answer "does hot convert better than cold?" in the terms
SDRs see; quintiles answer "does conversion climb with the score?" without
depending on where the thresholds happen to sit.
"""

from __future__ import annotations

import numpy as np

from scoring.calibration._deals import BoolArray, FloatArray
from scoring.calibration._report import BandStats
from scoring.calibration._stats import rate, wilson_interval
from scoring.rule_set import Thresholds

BAND_LABELS = ("cold", "warm", "hot")
QUINTILE_LABELS = ("Q1", "Q2", "Q3", "Q4", "Q5")


def _stats(
    label: str, low: float, high: float, closed: int, won: int, *, with_rates: bool
) -> BandStats:
    if not with_rates:
        return BandStats(label=label, min=low, max=high, closed=closed, won=won)
    interval = wilson_interval(won, closed)
    return BandStats(
        label=label,
        min=low,
        max=high,
        closed=closed,
        won=won,
        conversion=rate(won, closed),
        ci_low=interval[0] if interval else None,
        ci_high=interval[1] if interval else None,
    )


def _count_groups(group: np.ndarray, won: BoolArray, size: int) -> tuple[list[int], list[int]]:
    closed = np.bincount(group, minlength=size)
    won_count = np.bincount(group[won], minlength=size)
    return [int(c) for c in closed], [int(w) for w in won_count]


def band_stats(
    scores: FloatArray,
    won: BoolArray,
    thresholds: Thresholds,
    score_range: tuple[float, float],
    *,
    with_rates: bool = True,
) -> tuple[BandStats, ...]:
    """Cold, warm and hot, low to high, with the same cut rules as ``RuleSet.band``."""
    group = (scores >= thresholds.warm).astype(np.intp) + (scores >= thresholds.hot)
    closed, won_count = _count_groups(group, won, 3)
    edges = (score_range[0], thresholds.warm, thresholds.hot, score_range[1])
    return tuple(
        _stats(
            label,
            float(edges[i]),
            float(edges[i + 1]),
            closed[i],
            won_count[i],
            with_rates=with_rates,
        )
        for i, label in enumerate(BAND_LABELS)
    )


def quintile_stats(
    scores: FloatArray, won: BoolArray, *, with_rates: bool = True
) -> tuple[BandStats, ...]:
    """Five bands cut at the 20/40/60/80% quantiles of the scores.

    A score equal to a cut goes to the upper band, so tied scores are never
    split between bands; with many ties a band can be empty (closed 0), which
    is the honest answer. Empty when there are no deals.
    """
    if scores.size == 0:
        return ()
    cuts = np.quantile(scores, [0.2, 0.4, 0.6, 0.8])
    group = np.searchsorted(cuts, scores, side="right")
    closed, won_count = _count_groups(group, won, 5)
    edges = [float(scores.min()), *(float(c) for c in cuts), float(scores.max())]
    return tuple(
        _stats(label, edges[i], edges[i + 1], closed[i], won_count[i], with_rates=with_rates)
        for i, label in enumerate(QUINTILE_LABELS)
    )
