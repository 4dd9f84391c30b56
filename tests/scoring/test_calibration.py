"""Calibration statistics: hand-checked formulas, then whole reports on synthetic worlds."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.calibration import (
    HEALTHY,
    INVERTED,
    NO_SIGNAL,
    NOT_ENOUGH_DATA,
    WEAK,
    CalibrationReport,
    ClosedDeal,
    RuleStats,
    auc,
    auc_interval,
    calibrate,
    in_training,
    suggested_rule_set,
    wilson_interval,
    youden_threshold,
)
from scoring.calibration._logistic import fit_logistic
from scoring.calibration._suggest import hot_threshold
from scoring.rule_set import BehaviorRule, FitRule, RuleSet

CONTRACT_ORDER = [
    "window_days",
    "closed",
    "won",
    "bands",
    "spread",
    "verdict",
    "rules",
    "auc",
    "suggested_hot_threshold",
]
CONTRACT_KEYS = set(CONTRACT_ORDER)
EXTRA_KEYS = {
    "enough_data",
    "quintiles",
    "won_below_hot",
    "spread_suggested",
    "holdout_closed",
    "method",
    "apply_offered",
    "apply_reason",
    "base",
    "suggested_ends",
    "ranking",
}
BAND_KEYS = {"label", "min", "max", "closed", "won", "conversion", "ci_low", "ci_high"}
RULE_KEYS = {
    "name",
    "kind",
    "points",
    "suggested_points",
    "fired",
    "fired_won",
    "not_fired",
    "not_fired_won",
    "conversion_fired",
    "conversion_not_fired",
    "lift",
    "new",
    "when",
    "max_count",
}


def make_rule_set(*, hot: float = 50, warm: float = 30) -> RuleSet:
    return RuleSet.model_validate(
        {
            "name": "test",
            "thresholds": {"hot": hot, "warm": warm},
            "fit": [
                {
                    "name": "Newsletter subscriber",
                    "when": {"field": "attributes.newsletter", "exists": True},
                    "points": 20,
                },
                {
                    "name": "Government",
                    "when": {"field": "industry", "in": ["Government"]},
                    "points": 10,
                },
            ],
            "behavior": [
                {"name": "Demo request", "when": {"kind": "demo_request"}, "points": 30},
                {"name": "Trial signup", "when": {"kind": "trial_signup"}, "points": 15},
            ],
        }
    )


def all_rules(rule_set: RuleSet) -> list[FitRule | BehaviorRule]:
    return [*rule_set.fit, *rule_set.behavior]


def deal(key: str, score: float, won: bool, hits: dict[str, float] | None = None) -> ClosedDeal:
    return ClosedDeal(lead_key=key, entry_score=score, won=won, rule_hits=hits or {})


def synthetic_deals(n: int, seed: int) -> list[ClosedDeal]:
    """Demo requests drive wins, government leads rarely buy, newsletters are noise."""
    rng = np.random.default_rng(seed)
    fired = {
        "Newsletter subscriber": rng.random(n) < 0.4,
        "Government": rng.random(n) < 0.3,
        "Demo request": rng.random(n) < 0.4,
        "Trial signup": rng.random(n) < 0.003,
    }
    logit = -1.5 + 1.8 * fired["Demo request"] - 1.2 * fired["Government"]
    won = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    points = {rule.name: rule.points for rule in all_rules(RULES)}
    deals = []
    for i in range(n):
        hits = {name: points[name] for name, mask in fired.items() if mask[i]}
        deals.append(deal(f"lead-{i}@example.com", sum(hits.values()), bool(won[i]), hits))
    return deals


RULES = make_rule_set()
World = tuple[list[ClosedDeal], CalibrationReport]


@pytest.fixture(scope="module")
def world() -> World:
    deals = synthetic_deals(4000, seed=7)
    return deals, calibrate(deals, RULES)


def rule_row(report: CalibrationReport, name: str) -> RuleStats:
    return next(row for row in report.rules if row.name == name)


# --- Wilson interval ---------------------------------------------------------


def test_wilson_interval_matches_hand_computed_values() -> None:
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)


def test_wilson_interval_is_undefined_for_an_empty_band() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


# --- AUC and threshold -------------------------------------------------------


def test_auc_on_hand_computed_fixtures() -> None:
    assert auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert auc([1, 2, 3, 4], [True, True, False, False]) == 0.0
    # won {2, 3} vs lost {1, 2}: 1 + 0.5 (tie) + 1 + 1 out of 4 pairs
    assert auc([1, 2, 2, 3], [False, True, False, True]) == pytest.approx(0.875)
    assert auc([5, 5, 5], [True, False, False]) == pytest.approx(0.5)
    # won {3, 1} vs lost {2, 1, 1}: (1 + 1 + 1) + (0 + 0.5 + 0.5) = 4 of 6
    assert auc([3, 2, 1, 1, 1], [True, False, True, False, False]) == pytest.approx(4 / 6)


def test_auc_is_undefined_with_one_outcome_only() -> None:
    assert auc([1, 2, 3], [True, True, True]) is None
    assert auc([], []) is None


Pairs = list[tuple[float, bool]]
scores_and_labels = st.lists(
    st.tuples(
        st.one_of(
            st.integers(-3, 3).map(float),
            st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
        ),
        st.booleans(),
    ),
    min_size=2,
    max_size=60,
).filter(lambda pairs: 0 < sum(won for _, won in pairs) < len(pairs))


@given(scores_and_labels)
def test_auc_is_a_probability_and_mirrors_when_scores_reverse(pairs: Pairs) -> None:
    scores = np.array([s for s, _ in pairs])
    won = np.array([w for _, w in pairs])
    forward, backward = auc(scores, won), auc(-scores, won)
    assert forward is not None and backward is not None
    assert 0.0 <= forward <= 1.0
    assert forward + backward == pytest.approx(1.0, abs=1e-12)


@given(scores_and_labels)
def test_auc_equals_the_pairwise_count(pairs: Pairs) -> None:
    won = [s for s, w in pairs if w]
    lost = [s for s, w in pairs if not w]
    pairwise = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in product(won, lost))
    expected = pairwise / (len(won) * len(lost))
    assert auc([s for s, _ in pairs], [w for _, w in pairs]) == pytest.approx(expected)


def test_youden_threshold_picks_the_cut_that_separates_best() -> None:
    scores = [10, 20, 30, 60, 70, 80]
    won = [False, False, False, True, True, False]
    # at >= 60: 2/2 won above, 1/4 lost above -> J = 0.75, the best
    assert youden_threshold(scores, won) == 60.0
    assert youden_threshold([1, 2, 3], [True, False, False]) is None  # never J > 0


# --- bands and thin data -----------------------------------------------------


def test_bands_follow_the_rule_set_thresholds() -> None:
    scores = [10, 29.9, 30, 49.9, 50, 100]
    deals = [deal(f"k{i}", s, won=i % 2 == 1) for i, s in enumerate(scores)]
    report = calibrate(deals, RULES, min_deals=1)
    cold, warm, hot = report.bands
    assert [b.label for b in report.bands] == ["cold", "warm", "hot"]
    assert (cold.min, cold.max, warm.min, warm.max, hot.min, hot.max) == (0, 30, 30, 50, 50, 100)
    assert [(b.closed, b.won) for b in report.bands] == [(2, 1), (2, 1), (2, 1)]
    assert cold.conversion == 0.5
    assert (cold.ci_low, cold.ci_high) == pytest.approx(wilson_interval(1, 2))
    assert sum(q.closed for q in report.quintiles) == 6


def test_29_deals_give_counts_only() -> None:
    deals = synthetic_deals(29, seed=3)
    report = calibrate(deals, RULES)
    assert not report.enough_data
    assert report.verdict == NOT_ENOUGH_DATA
    assert (report.closed, report.won) == (29, sum(d.won for d in deals))
    assert sum(b.closed for b in report.bands) == 29
    assert all(b.conversion is None and b.ci_low is None for b in report.bands)
    assert report.spread is None
    assert all(row.suggested_points is None and row.lift is None for row in report.rules)
    assert report.auc.current is None and report.auc.suggested is None
    assert report.suggested_hot_threshold is None
    assert calibrate(synthetic_deals(30, seed=3), RULES).enough_data


@pytest.mark.parametrize(
    ("cold_won", "hot_won", "expected"),
    [(100, 300, HEALTHY), (100, 180, WEAK), (300, 100, INVERTED), (150, 150, NO_SIGNAL)],
)
def test_verdict_follows_the_held_out_ranking_then_the_spread(
    cold_won: int, hot_won: int, expected: str
) -> None:
    cold = [deal(f"c{i}", 10, won=i < cold_won) for i in range(1000)]
    hot = [deal(f"h{i}", 80, won=i < hot_won) for i in range(1000)]
    report = calibrate(cold + hot, RULES)
    assert report.spread == pytest.approx(hot_won / cold_won, rel=0.01)
    assert report.verdict == expected
    assert report.auc.current_low is not None and report.auc.current_high is not None
    assert report.auc.current_low <= report.auc.current <= report.auc.current_high


def test_a_small_window_with_a_good_spread_is_no_signal_not_healthy() -> None:
    cold = [deal(f"c{i}", 10, won=i < 2) for i in range(20)]
    hot = [deal(f"h{i}", 80, won=i < 5) for i in range(20)]
    report = calibrate(cold + hot, RULES)
    assert report.spread == pytest.approx(2.5)
    assert report.verdict == NO_SIGNAL
    assert not report.apply_offered and report.apply_reason


def test_auc_interval_holds_the_auc_and_narrows_with_more_deals() -> None:
    rng = np.random.default_rng(5)
    widths = []
    for n in (100, 10_000):
        won = rng.random(n) < 0.3
        scores = rng.normal(size=n) + won
        value, low, high = auc_interval(scores, won) or (0, 0, 0)
        assert low < value < high
        assert value == pytest.approx(auc(scores, won))
        widths.append(high - low)
    assert widths[1] < widths[0] / 5
    # AUC 0.8 on 50 won + 50 lost, scores 1/0 (heavy ties). DeLong by hand: 40 won deals
    # outrank 0.9 of the lost ones (40 + half of 10 ties), 10 only 0.4; the lost side
    # mirrors it. Variance 2 × (40·0.1² + 10·0.4²) / 49 / 50 = 0.0016327, SE 0.040406.
    scores = [1] * 40 + [0] * 10 + [1] * 10 + [0] * 40
    half = auc_interval(scores, [1] * 50 + [0] * 50) or (0, 0, 0)
    assert half[0] == pytest.approx(0.8)
    assert (half[2] - half[1]) / 2 == pytest.approx(1.959964 * 0.040406, abs=1e-5)


def test_auc_interval_agrees_with_a_bootstrap_when_scores_tie_heavily() -> None:
    """Shaped like Maven's held-out deals: ~2,000 deals, 63% won, five score values.

    DeLong's interval must match resampling the same deals (percentile bootstrap,
    ties counted half), so a verdict read from it is not an artefact of the formula.
    """
    rng = np.random.default_rng(17)
    n = 1_971
    scores = rng.choice([5.0, 15.0, 25.0, 5.0, 15.0, 25.0, 30.0], size=n)
    won = rng.random(n) < 0.60 + 0.002 * scores
    value, low, high = auc_interval(scores, won) or (0, 0, 0)
    resampled = [
        auc(scores[pick], won[pick]) or 0.5
        for pick in (rng.integers(0, n, n) for _ in range(2_000))
    ]
    boot_low, boot_high = np.percentile(resampled, [2.5, 97.5])
    assert value == pytest.approx(auc(scores, won))
    assert low == pytest.approx(boot_low, abs=0.004)
    assert high == pytest.approx(boot_high, abs=0.004)


def test_won_below_hot_lists_the_lowest_scoring_wins() -> None:
    deals = [deal(f"w{i}", float(45 - i), won=True) for i in range(8)]
    deals += [deal("hot", 90, won=True), deal("lost", 5, won=False)]
    below = calibrate(deals, RULES, min_deals=1).won_below_hot
    assert below.count == 8
    assert below.share == pytest.approx(8 / 9)
    assert below.examples == ("w7", "w6", "w5", "w4", "w3")


# --- suggestions on a synthetic world ---------------------------------------


def test_a_predictive_rule_gains_points_and_a_noise_rule_loses_them(world: World) -> None:
    _, report = world
    demo, noise = rule_row(report, "Demo request"), rule_row(report, "Newsletter subscriber")
    assert demo.suggested_points is not None and demo.suggested_points > demo.points
    assert noise.suggested_points is not None and abs(noise.suggested_points) <= 3
    assert demo.lift is not None and demo.lift > 1.2
    assert report.auc.suggested is not None and report.auc.current is not None
    assert report.auc.suggested > report.auc.current


def test_a_rule_that_lowers_conversion_gets_negative_points(world: World) -> None:
    _, report = world
    government = rule_row(report, "Government")
    assert government.points > 0
    assert government.suggested_points is not None and government.suggested_points < 0
    assert government.lift is not None and government.lift < 1


def test_a_rarely_firing_rule_keeps_its_points(world: World) -> None:
    _, report = world
    trial = rule_row(report, "Trial signup")
    assert trial.fired < 20
    assert trial.suggested_points is None


def test_suggested_hot_threshold_is_a_score_in_range(world: World) -> None:
    _, report = world
    assert report.suggested_hot_threshold is not None
    assert 0 <= report.suggested_hot_threshold <= 100
    assert report.spread_suggested is not None and report.spread_suggested >= 2


def test_the_suggested_hot_threshold_keeps_todays_alert_volume() -> None:
    entry = np.array([10, 20, 30, 40, 50, 60, 70, 80, 90, 95], dtype=float)  # 3 of 10 hot at 80
    suggested = np.array([1, 2, 3, 4, 5, 6, 7, 30, 31, 33], dtype=float)
    won = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)  # Youden would cut at 6
    assert hot_threshold(suggested, entry, won, 80, (0, 100)) == 30  # still 3 of 10
    assert hot_threshold(suggested, entry, won, 101, (0, 100)) == 6  # nobody hot today


def test_calibration_is_deterministic(world: World) -> None:
    deals, report = world
    assert calibrate(deals, RULES).to_json() == report.to_json()
    assert calibrate(list(reversed(deals)), RULES).rules == report.rules


def test_the_holdout_split_is_stable_and_about_30_percent() -> None:
    keys = [f"lead-{i}" for i in range(10_000)]
    share = sum(in_training(k) for k in keys) / len(keys)
    assert 0.68 < share < 0.72
    assert [in_training(k) for k in keys[:50]] == [in_training(k) for k in keys[:50]]


@pytest.mark.slow
def test_the_logistic_fit_is_at_the_penalised_optimum() -> None:
    rng = np.random.default_rng(11)
    x = (rng.random((500, 3)) < 0.5).astype(np.float64)
    won = rng.random(500) < 1.0 / (1.0 + np.exp(-(x @ [1.0, -1.0, 0.0] - 0.5)))
    fit = fit_logistic(x, won, l2=1.0)
    assert fit is not None
    beta = fit.coefficients
    design = np.hstack([np.ones((500, 1)), x])
    # the intercept that zeroes its own gradient, given the rule coefficients
    intercepts = np.linspace(-3, 3, 60001)
    eta = intercepts[:, None] + (x @ beta)[None, :]
    grad = (won[None, :] - 1.0 / (1.0 + np.exp(-eta))).sum(axis=1)
    intercept = intercepts[np.argmin(np.abs(grad))]
    p = 1.0 / (1.0 + np.exp(-(design @ np.concatenate([[intercept], beta]))))
    assert x.T @ (won - p) == pytest.approx(1.0 * beta, abs=0.05)
    assert beta[0] > 0.5 and beta[1] < -0.5 and abs(beta[2]) < 0.4
    assert fit.clear.tolist() == [True, True, False]


def test_a_lone_rule_without_a_clear_effect_gets_no_suggestion() -> None:
    # wins every third deal whether or not the demo rule fired: no evidence either way,
    # so the rule must not be flipped to negative points at full weight
    deals = [
        deal(f"k{i}", 30.0 if i % 2 else 0.0, i % 3 == 0, {"Demo request": 30.0} if i % 2 else {})
        for i in range(60)
    ]
    report = calibrate(deals, RULES)
    assert report.enough_data
    assert all(row.suggested_points is None for row in report.rules)


# --- JSON and applying ------------------------------------------------------


def test_to_json_has_the_contract_keys(world: World) -> None:
    _, report = world
    payload = report.to_json()
    assert set(payload) == CONTRACT_KEYS | EXTRA_KEYS
    assert list(payload)[: len(CONTRACT_KEYS)] == CONTRACT_ORDER
    assert all(set(band) == BAND_KEYS for band in payload["bands"] + payload["quintiles"])
    assert all(set(rule) == RULE_KEYS for rule in payload["rules"])
    assert set(payload["auc"]) >= {"current", "suggested", "current_low", "current_high"}
    assert set(payload["base"]) == {"points", "suggested_points"}
    assert isinstance(payload["apply_offered"], bool)
    assert set(payload["won_below_hot"]) == {"count", "share", "examples"}
    assert payload["window_days"] == 90
    json.dumps(payload, allow_nan=False)


def test_suggested_rule_set_applies_points_base_and_threshold(world: World) -> None:
    _, report = world
    applied = suggested_rule_set(report, RULES)
    by_name = {rule.name: rule for rule in all_rules(applied)}
    for row in report.rules:
        if row.suggested_points == 0:
            assert row.name not in by_name  # left out by the selection: dropped
        else:
            expected = row.points if row.suggested_points is None else row.suggested_points
            assert by_name[row.name].points == expected
    assert by_name["Trial signup"].points == 15  # too rare to judge: kept
    assert applied.base == report.base.suggested_points
    assert applied.thresholds.hot == report.suggested_hot_threshold
    assert applied.thresholds.warm < applied.thresholds.hot
    assert RULES.fit[1].points == 10  # the original is untouched


def test_warm_moves_below_a_lower_suggested_hot_threshold(world: World) -> None:
    _, report = world
    lowered = report.model_copy(update={"suggested_hot_threshold": 20.0})
    thresholds = suggested_rule_set(lowered, RULES).thresholds
    assert thresholds.hot == 20.0
    assert thresholds.warm == 12.0  # same place between 0 and hot as 30 was below 50
    unchanged = report.model_copy(update={"suggested_hot_threshold": None})
    assert suggested_rule_set(unchanged, RULES).thresholds == RULES.thresholds


def test_a_lucky_holdout_cannot_decide_the_verdict_on_rules_fitted_on_no_deal() -> None:
    """The held-out third ranks well by chance, the rest slightly the other way.

    Judged on the held-out deals alone (as for rules fitted on the training
    side) the score looks real; rules that were fitted on no deal are judged
    on every deal, which read as a coin toss.
    """
    keys = [f"lead-{i}@example.com" for i in range(3_000)]
    deals = []
    for i, key in enumerate(keys):
        high = i % 2 == 0
        won_share = (0.6 if high else 0.4) if not in_training(key) else (0.45 if high else 0.55)
        won = (i // 2) % 20 < won_share * 20
        deals.append(deal(key, 80 if high else 10, won=won))
    fitted = calibrate(deals, RULES)
    assert fitted.verdict not in (NO_SIGNAL, INVERTED)
    assert fitted.ranking is not None and fitted.ranking.closed == fitted.holdout_closed
    hand_written = calibrate([replace(d, may_be_fitted=False) for d in deals], RULES)
    assert hand_written.verdict == NO_SIGNAL
    assert hand_written.ranking is not None and hand_written.ranking.closed == 3_000
    assert hand_written.auc == fitted.auc  # Apply still compares on the held-out deals
