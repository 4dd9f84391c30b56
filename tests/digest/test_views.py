"""The digest stays within Slack's limits however many rules a team writes."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime

from bot.digest.backtest import backtest
from bot.digest.calibration_run import Calibration
from bot.digest.chart import calibration_chart
from bot.digest.report_view import report_blocks
from scoring.calibration import ClosedDeal, calibrate, calibrate_deals
from scoring.rule_set import RuleSet
from tests.digest.conftest import assert_within_limits, buttons, texts
from tests.scoring.test_calibration_discovery import RULES, world

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _big_rule_set(count: int) -> RuleSet:
    fit = [
        {
            "name": f"Rule {i:03d} " + "with a long descriptive name " * 8,
            "when": {"field": f"attributes.flag_{i}", "equals": True},
            "points": 5,
        }
        for i in range(count)
    ]
    return RuleSet.model_validate(
        {"name": "big", "thresholds": {"hot": 60, "warm": 30}, "fit": fit}
    )


def _run(rule_set: RuleSet, deals: int) -> Calibration:
    rng = random.Random(3)
    names = [rule.name for rule in rule_set.fit]
    closed = []
    for i in range(deals):
        hits = {name: 5.0 for name in names if rng.random() < 0.3}
        won = rng.random() < (0.7 if names[0] in hits else 0.2)
        closed.append(ClosedDeal(str(i), min(sum(hits.values()), 100.0), won, hits))
    report = calibrate(closed, rule_set, window_days=90)
    return Calibration(report=report, rule_set=rule_set, version=3, now=NOW, deals=closed)


def test_five_hundred_long_rules_fit_in_fifty_blocks_and_keep_the_button() -> None:
    run = _run(_big_rule_set(500), deals=500)
    blocks = report_blocks(run, title="Weekly calibration digest 2026-W49", report_id=9)

    assert_within_limits(blocks)
    assert len(blocks) <= 50
    assert [b["value"] for b in buttons(blocks)] == ["9"]
    text = texts(blocks)
    assert "Rule 000" in text
    assert "more." in text  # the rules that did not fit are counted, not silently dropped


def test_a_smaller_budget_shrinks_the_rules_not_the_button() -> None:
    run = _run(_big_rule_set(500), deals=500)
    blocks = report_blocks(run, title="t", report_id=4, max_blocks=48)

    assert len(blocks) <= 48
    assert [b["value"] for b in buttons(blocks)] == ["4"]
    assert "Backtest" in texts(blocks)


def test_without_a_stored_report_there_is_no_button() -> None:
    blocks = report_blocks(_run(_big_rule_set(5), deals=300), title="t", report_id=None)
    assert buttons(blocks) == []


def test_chart_is_a_png_and_leaves_no_pyplot_figures_behind() -> None:
    png = calibration_chart(backtest(_run(_big_rule_set(5), deals=300)))

    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    pyplot = sys.modules.get("matplotlib.pyplot")  # imported by someone else, if at all
    assert pyplot is None or pyplot.get_fignums() == []


def test_discovered_rules_show_as_new_rows_with_the_base_and_the_apply_button() -> None:
    deals = world(3000, seed=5)
    calibrated = calibrate_deals(deals, RULES)
    run = Calibration(
        report=calibrated.report,
        rule_set=RULES,
        version=2,
        now=NOW,
        deals=deals,
        suggested_scores=calibrated.suggested,
    )
    blocks = report_blocks(run, title="t", report_id=7)
    text = texts(blocks)

    assert_within_limits(blocks)
    assert "• *Occupation is Working Professional* (fit, new) · fired" in text
    assert "• *Base points* (every lead) · 0 → *" in text
    assert "The suggestions below would rank buyers better." in text
    assert [b["value"] for b in buttons(blocks)] == ["7"]


def test_no_signal_reads_as_such_and_says_why_nothing_is_offered() -> None:
    deals = world(2000, seed=6, signal=0.0)
    calibrated = calibrate_deals(deals, RULES)
    run = Calibration(
        report=calibrated.report, rule_set=RULES, version=2, now=NOW, deals=deals,
        suggested_scores=calibrated.suggested,
    )  # fmt: skip
    blocks = report_blocks(run, title="t", report_id=None)
    text = texts(blocks)

    assert "*No signal*: the score ranks buyers no better than a coin toss" in text
    assert "suggestions below" not in text
    assert "nothing is offered" in text
    assert buttons(blocks) == []
