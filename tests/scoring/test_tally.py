"""A behaviour tally kept one batch at a time scores exactly like a replay of the whole history."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.evaluate import (
    ActivityRecord,
    LeadProfile,
    fit_points,
    score_lead,
    score_tallied,
    score_totals,
)
from scoring.rule_file import bundled_rules_text, parse_rule_set
from scoring.tally import fold, from_document, replay
from tests.support.hypothesis_profiles import examples

RULES = parse_rule_set(bundled_rules_text())
LEAD = LeadProfile(email="ana@acme.io", title="VP Sales", company_size=250)
START = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = [
    ("page_view", "https://ex.com/pricing"),
    ("page_view", "https://ex.com/docs/integrations/crm"),
    ("page_view", "https://ex.com/blog"),
    ("demo_request", None),
    ("email_open", None),
    ("email_click", None),
    ("webinar_attended", None),
    ("email_unsubscribe", None),
    ("email_bounce", None),
]
UNCAPPED = parse_rule_set(
    bundled_rules_text().replace(
        "\nrouting:",
        """
  - name: Email bounced
    when: {kind: email_bounce}
    points: -4
  - name: Any demo request
    when: {kind: demo_request}
    points: 6
  - name: Logged only
    when: {kind: email_click}
    points: 0
routing:""",
    )
)
"""The bundled rules plus an uncapped negative, an uncapped positive and a zero-point rule."""

activities = st.lists(
    st.builds(
        lambda kind, minutes: ActivityRecord(
            kind[0], START + timedelta(minutes=minutes), kind[1], {}
        ),
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=60 * 24 * 240),  # eight months
    ),
    max_size=40,
)


def stored_and_read(tally_document: list[object]) -> list[object]:
    """What the database gives back: the document through JSON."""
    return json.loads(json.dumps(tally_document))  # type: ignore[no-any-return]


@settings(max_examples=examples(300))
@given(history=activities, cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_folding_batch_by_batch_scores_exactly_like_one_replay(
    history: list[ActivityRecord], cuts: list[int]
) -> None:
    ordered = sorted(history, key=lambda a: a.occurred_at)
    bounds = sorted({0, len(ordered), *(min(c, len(ordered)) for c in cuts)})
    document = replay(RULES, 1, []).document()
    last_at = None
    for start, end in itertools.pairwise(bounds):
        tally = from_document(stored_and_read(document), last_at)
        assert tally is not None
        assert tally.takes(1, ordered[start:end])
        fold(RULES, tally, ordered[start:end])
        document, last_at = tally.document(), tally.last_at
    now = START + timedelta(days=300)
    tallied = from_document(stored_and_read(document), last_at)
    assert tallied is not None
    assert score_tallied(RULES, LEAD, tallied, now=now) == score_lead(RULES, LEAD, history, now=now)


profiles = st.builds(
    LeadProfile,
    email=st.sampled_from(["ana@acme.io", "bo@gmail.com", "cy@uni.edu"]),
    title=st.sampled_from([None, "VP Sales", "CTO", "Engineer"]),
    company_size=st.one_of(st.none(), st.integers(min_value=1, max_value=5_000)),
    industry=st.sampled_from([None, "SaaS", "Government", "Retail"]),
    region=st.sampled_from([None, "EMEA", "APAC"]),
)


@settings(max_examples=examples(300))
@given(history=activities, lead=profiles, idle=st.integers(min_value=0, max_value=400))
def test_the_stored_numbers_are_what_the_explanation_adds_up_to(
    history: list[ActivityRecord], lead: LeadProfile, idle: int
) -> None:
    """Ingest stores numbers without hits; ``leadscore score`` shows hits that sum to them."""
    tally = replay(UNCAPPED, 1, history)
    now = START + timedelta(days=240 + idle)
    explained = score_tallied(UNCAPPED, lead, tally, now=now)
    fits = [hit.points for hit in explained.hits if hit.kind == "fit"]
    behaviour = [hit.points for hit in explained.hits if hit.kind == "behavior"]
    assert explained.fit == sum(fits)
    assert explained.behavior == pytest.approx(sum(behaviour), abs=1e-9)
    assert explained.behavior_fixed == pytest.approx(sum(p for p in behaviour if p < 0), abs=1e-9)
    assert explained.score == UNCAPPED.clamp(explained.fit + explained.behavior)
    stored = score_totals(UNCAPPED, fit_points(UNCAPPED, lead), tally, now=now)
    assert stored == replace(explained, hits=())


def closed_form_behaviour(history: list[ActivityRecord]) -> float:
    """Behaviour as of the last activity, straight from the definition (the oracle).

    Each match a rule keeps (its ``max_count`` most recent) earns the rule's
    points, shrunk by 15% per 30 idle days beyond the 7-day grace in every gap
    after it; negative points never shrink.
    """
    ordered = sorted(history, key=lambda a: a.occurred_at)
    gaps = [
        max(0.0, (b.occurred_at - a.occurred_at).total_seconds() / 86_400 - 7)
        for a, b in itertools.pairwise(ordered)
    ]
    total = 0.0
    for rule in RULES.behavior:
        matched = [
            i
            for i, a in enumerate(ordered)
            if a.kind == rule.when.kind and rule.when.detail_matcher(a)
        ]
        kept = matched[-rule.max_count :] if rule.max_count else matched
        for i in kept:
            total += rule.points if rule.points < 0 else rule.points * 0.85 ** (sum(gaps[i:]) / 30)
    return total


@settings(max_examples=examples(300))
@given(history=activities)
def test_the_tally_gives_the_behaviour_the_definition_gives(history: list[ActivityRecord]) -> None:
    last = max((a.occurred_at for a in history), default=START)
    result = score_lead(RULES, LEAD, history, now=last)
    assert result.behavior == pytest.approx(closed_form_behaviour(history), rel=1e-9, abs=1e-9)


def test_an_activity_older_than_the_latest_is_not_folded_in() -> None:
    tally = replay(RULES, 1, [ActivityRecord("demo_request", START + timedelta(days=10))])
    older = [ActivityRecord("email_open", START + timedelta(days=9))]
    assert not tally.takes(1, older)
    with pytest.raises(ValueError, match="time order"):
        fold(RULES, tally, older)


def test_a_tally_of_another_rule_set_version_is_not_used() -> None:
    tally = replay(RULES, 1, [ActivityRecord("demo_request", START)])
    later = [ActivityRecord("email_open", START + timedelta(days=1))]
    assert tally.takes(1, later)
    assert not tally.takes(2, later)


def test_a_capped_rule_keeps_its_most_recent_matches_with_their_decay() -> None:
    visits = [
        ActivityRecord("page_view", START + timedelta(days=day), "/pricing") for day in (0, 40, 80)
    ]
    tally = replay(RULES, 1, visits)
    fold(RULES, tally, [ActivityRecord("page_view", START + timedelta(days=80), "/pricing")])
    (position,) = [i for i, rule in enumerate(RULES.behavior) if rule.name == "Pricing page visit"]
    # The visit of day 0 dropped out; day 40's decayed over the 40 days to day 80.
    assert tally.slots[position] == pytest.approx([0.85 ** ((40 - 7) / 30), 1.0, 1.0])
