"""Decay properties the stored scores and the scheduled decay job rely on.

``now`` is passed in, so no clock needs freezing: each property is checked by
evaluating the same history at different instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.decay import decay_factor, idle_days
from scoring.evaluate import ActivityRecord, LeadProfile, assemble_score, score_lead
from scoring.rule_set import RuleSet

START = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("page_view", "demo_request", "email_open", "email_unsubscribe", "complaint")


def rules(monthly_rate: float = 0.15, grace_days: float = 7) -> RuleSet:
    return RuleSet.model_validate(
        {
            "name": "decay",
            "thresholds": {"hot": 70, "warm": 40},
            "decay": {"monthly_rate": monthly_rate, "grace_days": grace_days},
            "fit": [{"name": "VP", "when": {"field": "title", "equals": "VP"}, "points": 30}],
            "behavior": [
                {"name": "Visit", "when": {"kind": "page_view"}, "points": 10, "max_count": 3},
                {"name": "Demo", "when": {"kind": "demo_request"}, "points": 50},
                {"name": "Open", "when": {"kind": "email_open"}, "points": 2, "max_count": 3},
                {"name": "Unsubscribed", "when": {"kind": "email_unsubscribe"}, "points": -20},
                {"name": "Complaint", "when": {"kind": "complaint"}, "points": -5},
            ],
        }
    )


LEAD = LeadProfile(email="ana@acme.io", title="VP")
RATES = st.floats(0, 0.95)
GRACE = st.floats(0, 30)
ACTIVITIES = st.lists(
    st.builds(
        ActivityRecord,
        kind=st.sampled_from(KINDS),
        occurred_at=st.integers(0, 60 * 24 * 120).map(lambda m: START + timedelta(minutes=m)),
    ),
    min_size=1,
    max_size=12,
)
DAYS = st.floats(0, 400, allow_nan=False)


def at(days: float) -> datetime:
    return START + timedelta(days=days)


@given(ACTIVITIES, RATES, GRACE, DAYS)
def test_scoring_twice_at_the_same_instant_gives_the_same_number(
    activities: list[ActivityRecord], rate: float, grace: float, day: float
) -> None:
    rule_set = rules(rate, grace)
    first = score_lead(rule_set, LEAD, activities, now=at(day))
    assert score_lead(rule_set, LEAD, activities, now=at(day)) == first
    again = assemble_score(
        rule_set,
        fit=first.fit,
        behavior_decaying=first.behavior_decaying,
        behavior_fixed=first.behavior_fixed,
        factor=first.decay_factor,
    )
    assert again.score == first.score


@given(ACTIVITIES, RATES, GRACE, st.lists(DAYS, max_size=10))
def test_decay_from_stored_parts_matches_rescoring_whatever_the_schedule(
    activities: list[ActivityRecord], rate: float, grace: float, run_days: list[float]
) -> None:
    """The decay job recomputes from the parts stored at the last activity.

    So a run on any day, after any earlier runs, shows what a full rescore shows.
    """
    rule_set = rules(rate, grace)
    last = max(a.occurred_at for a in activities)
    stored = score_lead(rule_set, LEAD, activities, now=last)
    for day in [*sorted(run_days), 90]:
        now = last + timedelta(days=day)
        from_parts = assemble_score(
            rule_set,
            fit=stored.fit,
            behavior_decaying=stored.behavior_decaying,
            behavior_fixed=stored.behavior_fixed,
            factor=decay_factor(rule_set.decay, idle_days(last, now)),
        )
        direct = score_lead(rule_set, LEAD, activities, now=now)
        assert from_parts.score == pytest.approx(direct.score, abs=1e-9)
        assert from_parts.behavior == pytest.approx(direct.behavior, abs=1e-9)


def test_ninety_daily_runs_equal_one_run_on_day_90() -> None:
    rule_set = rules()
    activities = [ActivityRecord("demo_request", START), ActivityRecord("page_view", START)]
    daily = [score_lead(rule_set, LEAD, activities, now=at(day)).score for day in range(91)]
    assert daily[-1] == score_lead(rule_set, LEAD, activities, now=at(90)).score
    expected_behaviour = 60 * 0.85 ** ((90 - 7) / 30)
    assert daily[-1] == pytest.approx(30 + expected_behaviour)


@given(ACTIVITIES, RATES, GRACE, DAYS, DAYS)
def test_without_new_activity_the_score_never_rises(
    activities: list[ActivityRecord], rate: float, grace: float, a: float, b: float
) -> None:
    rule_set = rules(rate, grace)
    earlier, later = sorted((a, b))
    last = max(x.occurred_at for x in activities)
    before = score_lead(rule_set, LEAD, activities, now=last + timedelta(days=earlier))
    after = score_lead(rule_set, LEAD, activities, now=last + timedelta(days=later))
    assert after.score <= before.score + 1e-9
    assert after.behavior <= before.behavior + 1e-9


@given(ACTIVITIES, RATES, GRACE, st.floats(0, 1))
def test_nothing_decays_during_the_grace_period(
    activities: list[ActivityRecord], rate: float, grace: float, share: float
) -> None:
    rule_set = rules(rate, grace)
    last = max(a.occurred_at for a in activities)
    fresh = score_lead(rule_set, LEAD, activities, now=last)
    # Whole seconds, so that rounding to microseconds never steps past the grace period.
    waited = timedelta(seconds=int(grace * share * 86_400))
    idle = score_lead(rule_set, LEAD, activities, now=last + waited)
    assert idle.score == fresh.score
    assert idle.decay_factor == 1.0


@given(ACTIVITIES, RATES, GRACE, DAYS)
def test_fit_never_decays(
    activities: list[ActivityRecord], rate: float, grace: float, day: float
) -> None:
    result = score_lead(rules(rate, grace), LEAD, activities, now=at(day))
    assert result.fit == 30
    assert [h.points for h in result.hits if h.kind == "fit"] == [30]


def test_new_activity_resets_the_idle_clock_but_does_not_restore_decayed_points() -> None:
    rule_set = rules(0.15, 7)
    visit = ActivityRecord("page_view", START)
    # 67 idle days = 60 decaying days = two periods of 15%.
    decayed_visit = 10 * 0.85**2
    assert score_lead(rule_set, LEAD, [visit], now=at(67)).behavior == pytest.approx(decayed_visit)

    history = [visit, ActivityRecord("email_open", at(67))]
    right_after = score_lead(rule_set, LEAD, history, now=at(67))
    assert right_after.behavior == pytest.approx(decayed_visit + 2)
    # The clock restarted at day 67: the next week is grace again.
    a_week_later = score_lead(rule_set, LEAD, history, now=at(74))
    assert a_week_later.behavior == pytest.approx(right_after.behavior)
    assert a_week_later.behavior < score_lead(rule_set, LEAD, [visit], now=at(0)).behavior


def test_negative_behaviour_does_not_decay() -> None:
    history = [ActivityRecord("email_unsubscribe", START), ActivityRecord("demo_request", START)]
    result = score_lead(rules(0.5, 0), LEAD, history, now=at(3650))
    assert result.behavior_fixed == -20
    assert result.behavior == pytest.approx(-20 + 50 * 0.5 ** (3650 / 30))


@pytest.mark.parametrize(("idle", "factor"), [(0, 1.0), (7, 1.0), (37, 0.85), (67, 0.85**2)])
def test_decay_factor_loses_the_monthly_rate_every_30_days_after_grace(
    idle: float, factor: float
) -> None:
    assert decay_factor(rules().decay, idle) == pytest.approx(factor)
