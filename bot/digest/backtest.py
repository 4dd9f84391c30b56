"""The same held-out deals scored two ways: with today's points and with the suggested ones.

The chart compares the two on deals the suggestion was not fitted on (the
~30% holdout), so a better-looking suggested bar is evidence, not a
restatement of the training data. The suggested scores are calibration's
own (``Calibration.suggested_scores``): base plus every kept, re-weighted and
discovered rule as it would have counted at entry, clamped to the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.digest.calibration_run import Calibration
from scoring.calibration import CalibrationReport, ClosedDeal, calibrate, in_training
from scoring.rule_set import RuleSet


@dataclass(frozen=True)
class Backtest:
    """Held-out deals scored with current and with suggested rules (bands and quintiles)."""

    current: CalibrationReport
    suggested: CalibrationReport
    current_rules: RuleSet
    suggested_rules: RuleSet


def rescored_deals(run: Calibration) -> list[ClosedDeal]:
    """The held-out deals with entry scores replaced by their scores under the suggestion."""
    scores = run.suggested_scores
    held_out = []
    for index, deal in enumerate(run.deals):
        if in_training(deal.lead_key):
            continue
        score = deal.entry_score if scores is None else float(scores[index])
        held_out.append(ClosedDeal(deal.lead_key, score, deal.won, {}))
    return held_out


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
        suggested=_describe(rescored_deals(run), suggested_rules, days),
        current_rules=run.rule_set,
        suggested_rules=suggested_rules,
    )
