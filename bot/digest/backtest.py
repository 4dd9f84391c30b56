"""The same held-out deals scored two ways: with today's points and with the suggested ones.

The chart compares the two on deals the suggestion was not fitted on (the
~30% holdout), so a better-looking suggested bar is evidence, not a
restatement of the training data. Rescoring follows ``scoring.calibration``:
each rule's contribution at entry is scaled by suggested ÷ current points,
so caps and decay at entry are kept, and the sum is clamped to the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.digest.run import Calibration, suggested_scales
from scoring.calibration import CalibrationReport, ClosedDeal, calibrate, in_training
from scoring.rule_set import RuleSet


@dataclass(frozen=True)
class Backtest:
    """Held-out deals scored with current and with suggested rules (bands and quintiles)."""

    current: CalibrationReport
    suggested: CalibrationReport
    current_rules: RuleSet
    suggested_rules: RuleSet


def rescored_deals(
    deals: Sequence[ClosedDeal], report: CalibrationReport, rule_set: RuleSet
) -> list[ClosedDeal]:
    """The deals with entry scores re-summed under the report's suggested points."""
    scales = suggested_scales(report)
    low, high = rule_set.score_range
    rescored = []
    for deal in deals:
        hits = {name: value * scales.get(name, 1.0) for name, value in deal.rule_hits.items()}
        score = min(max(sum(hits.values()), low), high)
        rescored.append(ClosedDeal(deal.lead_key, score, deal.won, hits))
    return rescored


def _describe(deals: Sequence[ClosedDeal], rule_set: RuleSet, days: int) -> CalibrationReport:
    """Bands and quintiles with rates for any number of deals; no suggestion is fitted."""
    return calibrate(
        deals, rule_set, window_days=days, min_deals=1, min_rule_samples=len(deals) + 1
    )


def backtest(run: Calibration) -> Backtest:
    held_out = [deal for deal in run.deals if not in_training(deal.lead_key)]
    suggested_rules = run.suggested
    days = run.report.window_days
    return Backtest(
        current=_describe(held_out, run.rule_set, days),
        suggested=_describe(
            rescored_deals(held_out, run.report, run.rule_set), suggested_rules, days
        ),
        current_rules=run.rule_set,
        suggested_rules=suggested_rules,
    )
