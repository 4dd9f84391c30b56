"""Scoring one lead: caps, negative points, clamping, bands and explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoring.evaluate import ActivityRecord, LeadProfile, RuleHit, score_lead
from scoring.rule_set import RuleSet

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)

RULES = RuleSet.model_validate(
    {
        "name": "test",
        "thresholds": {"hot": 70, "warm": 40},
        "decay": {"monthly_rate": 0.15, "grace_days": 7},
        "fit": [
            {"name": "Senior title", "when": {"field": "title", "equals": "VP"}, "points": 20},
            {"name": "Government", "when": {"field": "industry", "in": ["Gov"]}, "points": -30},
        ],
        "behavior": [
            {
                "name": "Pricing page visit",
                "when": {"kind": "page_view", "url_contains": "/pricing"},
                "points": 10,
                "max_count": 3,
                "intent": True,
            },
            {"name": "Demo request", "when": {"kind": "demo_request"}, "points": 50},
            {"name": "Unsubscribed", "when": {"kind": "email_unsubscribe"}, "points": -20},
        ],
    }
)
VP = LeadProfile(email="ana@acme.io", title="vp")


def did(kind: str, minutes: int = 0, url: str | None = None) -> ActivityRecord:
    return ActivityRecord(kind=kind, occurred_at=MONDAY + timedelta(minutes=minutes), url=url)


def pricing(minutes: int) -> ActivityRecord:
    return did("page_view", minutes, url="https://ex.com/pricing")


def test_max_count_caps_the_points_and_keeps_the_most_recent_matches() -> None:
    # Five visits, the first two long ago: only the last three count, undecayed.
    visits = [pricing(-60 * 24 * 90), pricing(-60 * 24 * 60), pricing(0), pricing(1), pricing(2)]
    result = score_lead(RULES, VP, visits, now=MONDAY)
    (hit,) = [h for h in result.hits if h.kind == "behavior"]
    assert (hit.count, hit.max_count, hit.points) == (3, 3, pytest.approx(30))


def test_negative_behaviour_lowers_the_score() -> None:
    result = score_lead(RULES, VP, [did("demo_request"), did("email_unsubscribe", 5)], now=MONDAY)
    assert result.behavior == pytest.approx(30)
    assert result.score == pytest.approx(50)


def test_score_is_clamped_to_the_range_but_parts_are_not() -> None:
    busy = [did("demo_request", m) for m in range(3)]
    high = score_lead(RULES, VP, busy, now=MONDAY)
    assert (high.score, high.fit, high.behavior) == (100, 20, pytest.approx(150))

    government = LeadProfile(email="bo@gov.example", industry="gov")
    low = score_lead(RULES, government, [did("email_unsubscribe")], now=MONDAY)
    assert (low.score, low.fit, low.behavior) == (0, -30, -20)


def test_hits_explain_the_score_rule_by_rule() -> None:
    result = score_lead(RULES, VP, [pricing(0), did("demo_request", 1)], now=MONDAY)
    assert result.hits == (
        RuleHit(name="Senior title", kind="fit", points=20, count=1),
        RuleHit("Pricing page visit", "behavior", 10, 1, max_count=3, intent=True),
        RuleHit("Demo request", "behavior", 50, 1),
    )
    assert result.score == sum(h.points for h in result.hits) == 80
    assert result.last_activity_at == MONDAY + timedelta(minutes=1)


def test_rules_that_did_not_fire_are_not_in_the_explanation() -> None:
    result = score_lead(RULES, LeadProfile(email="x@y.io"), [], now=MONDAY)
    assert result.hits == ()
    assert (result.score, result.band, result.last_activity_at) == (0, "cold", None)


def test_activities_are_replayed_in_time_order_whatever_order_they_arrive_in() -> None:
    ordered = [pricing(m) for m in range(5)]
    shuffled = [ordered[3], ordered[0], ordered[4], ordered[1], ordered[2]]
    later = MONDAY + timedelta(days=40)
    assert score_lead(RULES, VP, shuffled, now=later) == score_lead(RULES, VP, ordered, now=later)


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, "hot"), (70, "hot"), (69.99, "warm"), (40, "warm"), (39.5, "cold"), (0, "cold")],
)
def test_band_thresholds_are_inclusive(score: float, band: str) -> None:
    assert RULES.band(score) == band


def test_band_of_the_score_is_reported() -> None:
    warm = score_lead(RULES, VP, [did("page_view", url="/pricing")] * 2, now=MONDAY)
    assert (warm.score, warm.band) == (40, "warm")
