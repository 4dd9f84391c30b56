"""Calibrate a rule set against the deals that closed: does the entry score predict who buys?

Pure: the caller picks the deals (e.g. closed in the last ``window_days``)
and passes them in; ``window_days`` is only echoed in the report. The deals
are laid out as arrays once (and their snapshots read once, in
``_candidates``); the statistics are vectorised from there.

With fewer than ``min_deals`` deals the report holds counts only: rates,
intervals, lifts and suggestions on a handful of deals would be noise that
reads like a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from scoring.calibration._bands import band_stats, quintile_stats
from scoring.calibration._deals import (
    BoolArray,
    ClosedDeal,
    DealMatrix,
    FloatArray,
    deal_matrix,
)
from scoring.calibration._report import (
    AucPair,
    BasePoints,
    CalibrationReport,
    EndShares,
    Ranking,
    RuleStats,
    WonBelowHot,
    spread,
    verdict,
)
from scoring.calibration._stats import auc_interval, rate
from scoring.calibration._suggest import adjusted_thresholds, hot_threshold
from scoring.calibration._suggestion import Suggestion, suggest
from scoring.rule_set import BehaviorRule, FitRule, RuleSet

METHOD = (
    "forward selection of rules (current ones and ones proposed from what leads looked like at "
    "entry) by logistic regression on a 70% sha256 split of lead keys, the number of rules "
    "chosen on an inner split of that 70%; points = log-odds scaled so the 1st-99th percentile "
    "spans 90% of score_range, base centring them; hot threshold keeping today's share of hot "
    "entries; AUC (95% DeLong interval) and suggested spread on the 30% holdout; the verdict "
    "from the entry scores' AUC on every deal their rules were not fitted on (the holdout, and "
    "the rest for rules written by hand or fitted before the deal closed)"
)

MIN_AUC_GAIN = 0.01
"""Apply is offered only when the suggestion beats today's held-out AUC by at least this."""

_EXAMPLES = 5


def _kinded_rules(
    rule_set: RuleSet,
) -> list[tuple[Literal["fit", "behavior"], FitRule | BehaviorRule]]:
    fit: list[tuple[Literal["fit", "behavior"], FitRule | BehaviorRule]]
    fit = [("fit", rule) for rule in rule_set.fit]
    return fit + [("behavior", rule) for rule in rule_set.behavior]


def _won_below_hot(matrix: DealMatrix, hot: float, *, with_rates: bool) -> WonBelowHot:
    missed = np.flatnonzero(matrix.won & (matrix.entry < hot))
    lowest = missed[np.argsort(matrix.entry[missed], kind="stable")][:_EXAMPLES]
    won = int(matrix.won.sum())
    return WonBelowHot(
        count=int(missed.size),
        share=rate(int(missed.size), won) if with_rates else None,
        examples=tuple(matrix.lead_keys[i] for i in lowest),
    )


def _rule_rows(
    rule_set: RuleSet,
    names: list[str],
    matrix: DealMatrix,
    suggested: FloatArray,
    has_suggestion: BoolArray,
    *,
    with_rates: bool,
) -> tuple[RuleStats, ...]:
    fired = matrix.fired
    fired_count = fired.sum(axis=0)
    fired_won = fired[matrix.won].sum(axis=0)
    won = int(matrix.won.sum())
    overall = rate(won, matrix.closed)
    rows = []
    for kind, rule in _kinded_rules(rule_set):
        c = names.index(rule.name)
        n_fired, n_fired_won = int(fired_count[c]), int(fired_won[c])
        n_not, n_not_won = matrix.closed - n_fired, won - n_fired_won
        conversion_fired = rate(n_fired_won, n_fired) if with_rates else None
        lift = None
        if conversion_fired is not None and overall:
            lift = conversion_fired / overall
        rows.append(
            RuleStats(
                name=rule.name,
                kind=kind,
                points=rule.points,
                suggested_points=int(suggested[c]) if has_suggestion[c] else None,
                fired=n_fired,
                fired_won=n_fired_won,
                not_fired=n_not,
                not_fired_won=n_not_won,
                conversion_fired=conversion_fired,
                conversion_not_fired=rate(n_not_won, n_not) if with_rates else None,
                lift=lift,
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class Calibrated:
    """A report and the per-deal scores behind it (for charts and backtests).

    ``suggested`` holds every deal's score under the suggested rule set, or
    None when nothing is suggested.
    """

    report: CalibrationReport
    suggested: FloatArray | None
    training: BoolArray


def _apply_decision(
    pair: AucPair, hot_share: float | None, changed: bool
) -> tuple[bool, str | None]:
    """Whether Apply is worth offering, and if not, the one line that says why."""
    if not changed or pair.suggested is None or pair.current is None:
        return False, "Nothing in these deals supports a better rule set, so nothing is offered."
    if pair.suggested < pair.current + MIN_AUC_GAIN:
        return False, (
            f"The suggested rules rank the held-out deals no better than today's "
            f"(AUC {pair.suggested:.2f} against {pair.current:.2f}; Apply needs "
            f"+{MIN_AUC_GAIN:.2f}), so nothing is offered."
        )
    if pair.suggested_low is not None and pair.suggested_low <= 0.5:
        return False, (
            "Even the suggested rules rank the held-out deals no better than a coin toss, "
            "so nothing is offered."
        )
    if hot_share is not None and hot_share <= 0.0:
        return False, "With the suggested rules no lead would be hot, so nothing is offered."
    if hot_share is not None and hot_share >= 1.0:
        return False, "With the suggested rules every lead would be hot, so nothing is offered."
    return True, None


def _interval_pair(
    current: FloatArray, suggested: FloatArray | None, won: BoolArray
) -> tuple[AucPair, tuple[float, float, float] | None]:
    now = auc_interval(current, won)
    then = auc_interval(suggested, won) if suggested is not None else None
    pair = AucPair(
        current=now[0] if now else None,
        suggested=then[0] if then else (now[0] if now else None),
        current_low=now[1] if now else None,
        current_high=now[2] if now else None,
        suggested_low=then[1] if then else None,
        suggested_high=then[2] if then else None,
    )
    return pair, now


def calibrate(
    deals: Sequence[ClosedDeal],
    rule_set: RuleSet,
    *,
    window_days: int = 90,
    min_deals: int = 30,
    min_rule_samples: int = 20,
) -> CalibrationReport:
    """Measure how well entry scores predicted the outcome of ``deals``, and suggest fixes."""
    return calibrate_deals(
        deals,
        rule_set,
        window_days=window_days,
        min_deals=min_deals,
        min_rule_samples=min_rule_samples,
    ).report


def calibrate_deals(
    deals: Sequence[ClosedDeal],
    rule_set: RuleSet,
    *,
    window_days: int = 90,
    min_deals: int = 30,
    min_rule_samples: int = 20,
) -> Calibrated:
    """The report, and each deal's score under the suggestion.

    A current rule is judged only when, over all the deals, it both fired and
    did not fire at least ``min_rule_samples`` times; otherwise its effect
    cannot be told apart from chance and its points are kept. Proposed rules
    need as much support on the training deals.
    """
    names = list(dict.fromkeys(rule.name for _, rule in _kinded_rules(rule_set)))
    current = np.zeros(len(names))
    for _, rule in reversed(_kinded_rules(rule_set)):
        current[names.index(rule.name)] = rule.points
    matrix = deal_matrix(deals, names)
    enough = matrix.closed >= min_deals
    thresholds, score_range = rule_set.thresholds, rule_set.score_range
    bands = band_stats(matrix.entry, matrix.won, thresholds, score_range, with_rates=enough)
    holdout = ~matrix.training
    suggestion: Suggestion | None = None
    if enough:
        fired_count = matrix.fired.sum(axis=0)
        eligible = (fired_count >= min_rule_samples) & (
            matrix.closed - fired_count >= min_rule_samples
        )
        suggestion = suggest(deals, rule_set, names, matrix, current, eligible, min_rule_samples)
    scores = suggestion.scores if suggestion else None
    pair, interval = AucPair(), None
    if enough:
        pair, _ = _interval_pair(
            matrix.entry[holdout],
            scores[holdout] if scores is not None else None,
            matrix.won[holdout],
        )
        interval = auc_interval(matrix.entry[matrix.unseen], matrix.won[matrix.unseen])
    threshold = spread_suggested = None
    ends = hot_share = None
    if scores is not None:
        threshold = hot_threshold(scores, matrix.entry, matrix.won, thresholds.hot, score_range)
        adjusted = adjusted_thresholds(thresholds, threshold, score_range)
        backtest = band_stats(scores[holdout], matrix.won[holdout], adjusted, score_range)
        spread_suggested = spread(backtest[2], backtest[0])
        held = scores[holdout]
        if held.size:
            ends = EndShares(
                low=float(np.mean(held <= score_range[0])),
                high=float(np.mean(held >= score_range[1])),
            )
            hot_share = float(np.mean(held >= adjusted.hot))
    suggested_points = suggestion.existing if suggestion else current
    has = suggestion.has_existing if suggestion else np.zeros(len(names), dtype=np.bool_)
    offered: bool = False
    reason: str | None = "Not enough closed deals to judge the rules yet."
    if enough:
        offered, reason = _apply_decision(pair, hot_share, suggestion is not None)
    rows = _rule_rows(rule_set, names, matrix, suggested_points, has, with_rates=enough)
    report = CalibrationReport(
        window_days=window_days,
        closed=matrix.closed,
        won=int(matrix.won.sum()),
        bands=bands,
        spread=spread(bands[2], bands[0]),
        verdict=verdict(bands[2], bands[0], interval, enough_data=enough),
        rules=rows + (suggestion.new_rows if suggestion else ()),
        auc=pair,
        suggested_hot_threshold=threshold,
        enough_data=enough,
        quintiles=quintile_stats(matrix.entry, matrix.won, with_rates=enough),
        won_below_hot=_won_below_hot(matrix, thresholds.hot, with_rates=enough),
        spread_suggested=spread_suggested,
        holdout_closed=int(holdout.sum()),
        method=METHOD,
        apply_offered=offered,
        apply_reason=reason,
        base=BasePoints(
            points=rule_set.base, suggested_points=suggestion.base if suggestion else None
        ),
        suggested_ends=ends,
        ranking=Ranking(
            auc=interval[0], low=interval[1], high=interval[2], closed=int(matrix.unseen.sum())
        )
        if interval
        else None,
    )
    return Calibrated(report=report, suggested=scores, training=matrix.training)
