"""The calibration report from deals that went through the ingest path, checked by hand."""

from __future__ import annotations

import gc
import re

import pytest

from bot.digest.report import calibration_blocks, calibration_report
from bot.services import Services
from scoring.calibration import HEALTHY, NOT_ENOUGH_DATA, suggested_rule_set
from tests.digest.conftest import assert_within_limits, buttons, texts
from tests.digest.worlds import NOW, ingest_leads, small_world, synthetic_world


def _rule(report, name):  # type: ignore[no-untyped-def]
    return next(rule for rule in report.rules if rule.name == name)


def test_small_world_matches_the_hand_computed_report(services: Services) -> None:
    ingest_leads(services, small_world())
    report, rule_set = calibration_report(services, days=90, now=NOW)

    assert (report.closed, report.won) == (40, 14)
    cold, warm, hot = report.bands
    assert [(b.label, b.closed, b.won) for b in report.bands] == [
        ("cold", 20, 2),
        ("warm", 10, 4),
        ("hot", 10, 8),
    ]
    assert (cold.conversion, warm.conversion, hot.conversion) == (0.1, 0.4, 0.8)
    # Wilson 95% for 8/10: centre (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.7168,
    # half-width 1.96·sqrt(0.8·0.2/10 + 1.96²/400) / 1.3841 = 0.2266.
    assert hot.ci_low == pytest.approx(0.4902, abs=1e-4)
    assert hot.ci_high == pytest.approx(0.9433, abs=1e-4)
    assert report.spread == pytest.approx(8.0)
    assert report.verdict == HEALTHY
    assert report.won_below_hot.count == 6
    assert report.won_below_hot.share == pytest.approx(6 / 14)
    senior, demo = _rule(report, "Senior title"), _rule(report, "Demo request")
    assert (senior.fired, senior.fired_won) == (10, 8)
    assert senior.lift == pytest.approx(0.8 / 0.35)
    assert (demo.fired, demo.fired_won) == (20, 12)
    assert demo.lift == pytest.approx(0.6 / 0.35)
    assert senior.suggested_points is None  # fired 10 times: too few to judge
    assert rule_set.thresholds.hot == 70


def test_small_world_reads_as_a_manager_would_say_it(services: Services) -> None:
    ingest_leads(services, small_world())
    services.clock = lambda: NOW
    blocks = calibration_blocks(services, days=90)
    text = texts(blocks)

    assert_within_limits(blocks)
    assert "*40 deals closed* in the last 90 days, *14 won*" in text
    assert "Hot (70–100): *80%* (95% CI 49%–94%) · 8 of 10 won" in text
    assert "Cold (0–<40): *10%* (95% CI 2.8%–30%) · 2 of 20 won" in text
    assert "*8.0x* as often as cold ones, above the 2–3x target" in text
    assert "*6 of 14 won deals (43%) entered below hot (70)*" in text
    lowest = text.split("Lowest-scoring: ")[1].split("\n")[0].split(", ")
    assert set(lowest[:2]) == {"cold0@gamma.io", "cold1@gamma.io"}
    assert "• *Senior title* (fit) · fired 10× · lift 2.3x · 20 (kept)" in text
    assert "AUC current" in text
    # the verdict rests on the ranking, with its interval; hand-written rules were
    # fitted on none of the deals, so all 40 judge them
    assert re.search(
        r"AUC \d\.\d\d \(95% CI \d\.\d\d–\d\.\d\d\) on the 40 deals the rules were not fitted on",
        text,
    )
    assert "nothing is offered" in text and buttons(blocks) == []


def test_suggestion_raises_the_predictive_signal_and_lowers_the_noise(
    sqlite_services: Services,
) -> None:
    ingest_leads(sqlite_services, synthetic_world(seed=7, size=400))
    report, rule_set = calibration_report(sqlite_services, days=90, now=NOW)

    pricing, demo = _rule(report, "Pricing page visit"), _rule(report, "Demo request")
    assert pricing.suggested_points is not None and pricing.suggested_points > pricing.points
    assert demo.suggested_points is not None and demo.suggested_points < demo.points
    assert report.auc.suggested is not None and report.auc.current is not None
    assert report.auc.suggested > report.auc.current
    suggested = suggested_rule_set(report, rule_set)
    points = {rule.name: rule.points for rule in suggested.behavior}
    assert points["Pricing page visit"] == pricing.suggested_points
    assert points.get("Demo request", 0) == demo.suggested_points  # 0: dropped


def test_thin_data_says_so_and_shows_only_counts(services: Services) -> None:
    world = small_world()
    ingest_leads(services, world[:3] + world[-2:])  # 3 hot (all won), 2 cold (lost)
    services.clock = lambda: NOW
    report, _ = calibration_report(services, days=90)
    blocks = calibration_blocks(services, days=90)
    text = texts(blocks)

    assert report.verdict == NOT_ENOUGH_DATA and not report.enough_data
    assert "*Not enough data yet*: calibration needs at least 30 closed deals" in text
    assert "Hot (70–100): 3 closed, 3 won" in text
    assert "Cold (0–<40): 2 closed, 0 won" in text
    assert "%" not in text  # no rates, no intervals
    assert buttons(blocks) == []


def test_deals_outside_the_window_are_left_out(services: Services) -> None:
    ingest_leads(services, small_world())
    report, _ = calibration_report(services, days=7, now=NOW)
    assert report.closed == 0 and report.window_days == 7


def test_a_window_shorter_than_a_day_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        calibration_report(services, days=0, now=NOW)


def test_a_calibration_leaves_the_cycle_collector_as_it_found_it(services: Services) -> None:
    """The run holds the collector while it loads deals; the server must get it back."""
    ingest_leads(services, small_world())
    assert gc.isenabled()
    calibration_report(services, days=90, now=NOW)
    assert gc.isenabled()
    gc.disable()
    try:
        calibration_report(services, days=90, now=NOW)
        assert not gc.isenabled()
    finally:
        gc.enable()
