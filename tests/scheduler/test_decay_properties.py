"""Decay's promises, checked on random leads on SQLite and PostgreSQL.

Whatever the leads did, the score stored by the decay job at an instant is
the score computed from scratch from their history at that instant; running
it twice, daily or once, gives the same numbers; and it never raises a score.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.rules_admin import apply_rules
from bot.scheduler import decay_now
from bot.services import Services
from storage.decay import DecayStats
from storage.engine import session_scope
from storage.leads import save_leads
from tests.scheduler.conftest import (
    DAY_US,
    NEGATIVE_RULES,
    T0,
    TOLERANCE,
    leads,
    populate,
    populations,
    rescored,
)
from tests.support.hypothesis_profiles import examples

pytestmark = pytest.mark.slow

PROPERTIES = settings(
    max_examples=examples(20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

POPULATION = populations(max_activities=6)
LATER = st.integers(min_value=0, max_value=400 * DAY_US).map(lambda us: timedelta(microseconds=us))


@PROPERTIES
@given(population=POPULATION, later=LATER)
@example(  # active at xx:59.999999: SQLite's own date parsing rounds that to the next second
    population=[(False, False, [(("page_view", "/pricing"), 1)])],
    later=timedelta(days=3, microseconds=1161),
)
def test_the_decayed_score_is_the_score_from_history_at_that_instant(
    negative_services: Services, population: list[Any], later: timedelta
) -> None:
    populate(negative_services, population)
    at = T0 + later
    decay_now(negative_services, at)
    expected = rescored(negative_services, at)
    for email, lead in leads(negative_services).items():
        assert abs(lead.score - expected[email].score) <= TOLERANCE, email
        assert abs(lead.behavior - expected[email].behavior) <= TOLERANCE, email
        assert lead.band == expected[email].band, email


@PROPERTIES
@given(population=POPULATION, later=LATER)
def test_running_decay_twice_at_the_same_instant_changes_nothing(
    negative_services: Services, population: list[Any], later: timedelta
) -> None:
    populate(negative_services, population)
    decay_now(negative_services, T0 + later)
    once = leads(negative_services)
    assert decay_now(negative_services, T0 + later) == DecayStats(decayed=0, cooled=0)
    assert leads(negative_services) == once


@settings(PROPERTIES, max_examples=examples(8))
@given(population=POPULATION, hour=st.integers(min_value=0, max_value=23))
def test_daily_runs_for_90_days_equal_one_run_on_day_90(
    negative_services: Services, population: list[Any], hour: int
) -> None:
    populate(negative_services, population)
    fresh = leads(negative_services)
    day_90 = T0 + timedelta(days=90, hours=hour)
    for day in range(1, 91):
        decay_now(negative_services, T0 + timedelta(days=day, hours=hour))
    daily = leads(negative_services)
    with session_scope(negative_services.engine) as session:
        save_leads(session=session, leads=list(fresh.values()))
    decay_now(negative_services, day_90)
    once = leads(negative_services)
    for email, lead in once.items():
        assert abs(daily[email].score - lead.score) <= TOLERANCE, email
        assert abs(daily[email].behavior - lead.behavior) <= TOLERANCE, email
        assert daily[email].band == lead.band, email
        assert daily[email].alert_armed == lead.alert_armed, email


@PROPERTIES
@given(population=POPULATION, instants=st.lists(LATER, min_size=1, max_size=6))
def test_decay_never_raises_a_score_even_run_out_of_order(
    negative_services: Services, population: list[Any], instants: list[timedelta]
) -> None:
    populate(negative_services, population)
    before = leads(negative_services)
    for later in instants:  # unsorted: an earlier instant after a later one is a no-op
        decay_now(negative_services, T0 + later)
        after = leads(negative_services)
        for email, lead in after.items():
            assert lead.score <= before[email].score, email
            assert lead.behavior <= before[email].behavior, email
        before = after


@PROPERTIES
@given(population=POPULATION)
def test_fit_and_negative_behaviour_never_decay(
    negative_services: Services, population: list[Any]
) -> None:
    populate(negative_services, population)
    fresh = leads(negative_services)
    decay_now(negative_services, T0 + timedelta(days=3650))
    for email, lead in leads(negative_services).items():
        assert lead.fit == fresh[email].fit
        assert lead.behavior_fixed == fresh[email].behavior_fixed
        floor = min(max(lead.fit + lead.behavior_fixed, 0.0), 100.0)
        assert abs(lead.score - floor) < 1e-6, email  # what is left after ten years


def test_decay_keeps_the_rule_sets_base_points(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES + "\nbase: 12\n", applied_by="tests")
    populate(services, [(True, False, [(("demo_request", None), 0)])])
    at = T0 + timedelta(days=90)
    decay_now(services, at)
    expected = rescored(services, at)
    for email, lead in leads(services).items():
        assert lead.score == expected[email].score
        assert lead.score > lead.fit + lead.behavior  # the base is in, and never decays
