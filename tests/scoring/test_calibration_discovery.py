"""Calibration finding rules: proposed from entry snapshots, sparsely chosen, honestly offered."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from scoring.calibration import (
    NO_SIGNAL,
    CalibrationReport,
    ClosedDeal,
    calibrate,
    entry_snapshot,
    suggested_rule_set,
)
from scoring.calibration._select import forward_select
from scoring.evaluate import ActivityRecord, LeadProfile
from scoring.rule_file import parse_rule_set, rule_set_to_yaml
from scoring.rule_set import RuleSet

RULES = parse_rule_set(
    """
name: first guess
thresholds: {hot: 50, warm: 30}
fit:
  - name: Senior title
    when: {field: title, contains_any: [VP]}
    points: 20
behavior:
  - name: Demo request
    when: {kind: demo_request}
    points: 30
"""
)
AT = datetime(2026, 3, 2, tzinfo=UTC)


def world(n: int, *, seed: int, signal: float = 1.0) -> list[ClosedDeal]:
    """Working professionals, long visits and pricing views buy; the rules know none of it."""
    rng = np.random.default_rng(seed)
    occupation = rng.choice(["Working Professional", "Student", "Unemployed", ""], n)
    minutes = rng.exponential(10, n)
    pricing = rng.poisson(0.7, n)
    demo = rng.random(n) < 0.3
    logit = -1.5 + signal * (
        1.5 * (occupation == "Working Professional")
        + 0.08 * np.minimum(minutes, 30)
        + 0.6 * np.minimum(pricing, 3)
        + 0.5 * demo
    )
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    deals = []
    for i in range(n):
        profile = LeadProfile(
            email=f"l{i}@x.io",
            title="Analyst",
            attributes={"occupation": str(occupation[i]), "minutes_on_site": float(minutes[i])},
        )
        visits = [ActivityRecord("page_view", AT, "https://x.io/pricing")] * int(pricing[i])
        visits += [ActivityRecord("demo_request", AT)] * int(demo[i])
        hits = {"Demo request": 30.0} if demo[i] else {}
        snapshot = entry_snapshot(profile, visits)
        deals.append(ClosedDeal(f"lead-{i}", sum(hits.values()), bool(won[i]), hits, snapshot))
    return deals


@pytest.fixture(scope="module")
def report() -> CalibrationReport:
    return calibrate(world(6000, seed=3), RULES)


def test_new_rules_come_in_the_rule_files_language_with_plain_names(
    report: CalibrationReport,
) -> None:
    new = {row.name: row for row in report.rules if row.new}
    occupation = new["Occupation is Working Professional"]
    assert occupation.when == {"field": "attributes.occupation", "equals": "Working Professional"}
    assert occupation.suggested_points is not None and occupation.suggested_points > 0
    assert occupation.points == 0 and occupation.fired > 1000
    assert occupation.lift is not None and occupation.lift > 1.2
    assert any(name.startswith("Minutes on site at least") for name in new)
    assert all(row.suggested_points for row in new.values())  # no zero-point rule


def test_the_suggestion_beats_the_current_rules_and_apply_is_offered(
    report: CalibrationReport,
) -> None:
    assert report.auc.suggested is not None and report.auc.current is not None
    assert report.auc.suggested >= report.auc.current + 0.05
    assert report.apply_offered and report.apply_reason is None
    assert report.suggested_ends is not None
    assert report.suggested_ends.low < 0.05 and report.suggested_ends.high < 0.05


def test_the_suggested_rule_set_is_a_valid_file_with_at_most_max_rules(
    report: CalibrationReport,
) -> None:
    applied = suggested_rule_set(report, RULES)
    text = rule_set_to_yaml(applied)
    again = parse_rule_set(text)
    assert again == applied
    assert len(again.fit) + len(again.behavior) <= RULES.max_rules
    assert again.base == report.base.suggested_points
    assert "Occupation is Working Professional" in {rule.name for rule in again.fit}


def test_max_rules_caps_the_suggestion() -> None:
    tight = RuleSet.model_validate({**RULES.model_dump(by_alias=True), "max_rules": 3})
    applied = suggested_rule_set(calibrate(world(6000, seed=3), tight), tight)
    assert len(applied.fit) + len(applied.behavior) <= 3


def test_random_outcomes_say_no_signal_and_offer_nothing() -> None:
    report = calibrate(world(3000, seed=4, signal=0.0), RULES)
    assert report.verdict == NO_SIGNAL
    assert report.verdict.startswith("no signal")
    assert not report.apply_offered
    assert report.apply_reason


def test_a_snapshot_keeps_profile_and_activity_counts() -> None:
    profile = LeadProfile(email="a@b.io", title="VP", attributes={"plan": "pro", "tags": [1]})
    activities = [
        ActivityRecord("page_view", AT, "https://b.io/pricing", {"plan": "pro"}),
        ActivityRecord("Page_View ", AT, "https://b.io/pricing"),
        ActivityRecord("demo_request", AT),
    ]
    snapshot = entry_snapshot(profile, activities)
    assert snapshot["lead"] == {"title": "VP", "attributes": {"plan": "pro"}}
    assert snapshot["activity"]["page_view"] == {
        "n": 2,
        "urls": {"https://b.io/pricing": 2},
        "properties": {"plan": {'"pro"': 1}},
    }
    assert snapshot["activity"]["demo_request"] == {"n": 1}


def test_a_proposed_rule_named_like_a_current_one_says_how_it_counts() -> None:
    """A manager reading "Demo request" twice could not tell the rules apart."""
    from scoring.calibration._candidate import Candidate
    from scoring.calibration._suggestion import _unique_name
    from scoring.rule_set import ActivityCondition, BehaviorRule

    def proposed(max_count: int) -> Candidate:
        when = ActivityCondition.model_validate({"kind": "demo_request"})
        rule = BehaviorRule(name="Demo request", when=when, points=1, max_count=max_count)
        return Candidate("behavior", rule, np.zeros(3))

    taken = {"demo request"}
    assert _unique_name(proposed(1), taken) == "Demo request, counted once"
    assert _unique_name(proposed(4), taken) == "Demo request, counted up to 4 times"
    assert _unique_name(proposed(1), taken) == "Demo request, counted once (2)"


def test_value_rules_on_one_field_are_chosen_as_separate_groups() -> None:
    """Months convert differently; once a group of months is in, groups nested in or
    overlapping it are not, and a group that only completes what is chosen (its points
    would be the base's) is never picked."""
    rng = np.random.default_rng(5)
    n = 6_000
    month = rng.integers(0, 4, n)
    won = rng.random(n) < np.array([0.5, 0.3, 0.15, 0.05])[month]
    columns = {
        "0": month == 0,
        "0-1": month <= 1,
        "0-2": month <= 2,
        "1": month == 1,
        "2-3": month >= 2,
        "3": month == 3,
    }
    units = np.column_stack(list(columns.values())).astype(np.float64)
    fitting = rng.random(n) < 0.7
    chosen = forward_select(
        units, won, fitting, max_rules=6, fields=["attributes.month"] * len(columns)
    )
    names = [list(columns)[c] for c in chosen]
    picked = [columns[name] for name in names]
    for i, first in enumerate(picked):
        assert not any((first & later).any() for later in picked[i + 1 :]), names
    assert not np.logical_or.reduce(picked).all(), names  # the base already holds the rest
