"""Decay as SDRs see it: quiet leads cool down, and a lead that cooled alerts again.

Under tests/fixtures/rules.yml: hot 70, warm 40, 15% per 30 days after 7
idle days. A VP at a 250-person company who requested a demo scores
20 + 15 + 50 = 85.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from sqlmodel import select

from bot.cli.main import cli
from bot.scheduler import decay_job, decay_now
from bot.services import Services
from storage.decay import DecayStats
from storage.engine import session_scope
from storage.leads import save_leads
from storage.models import Alert
from tests.scheduler.conftest import T0, ingest, iso, leads, rescored
from tests.support.events import activity, hot_lead

EMAIL = "vp@acme.example"


def _hot_lead_at_t0(services: Services) -> None:
    result = ingest(services, [hot_lead(EMAIL, at=iso(T0))], at=T0)
    assert len(result.alert_ids) == 1


def _score(services: Services) -> float:
    return leads(services)[EMAIL].score


def test_nothing_decays_within_the_grace_period(services: Services) -> None:
    _hot_lead_at_t0(services)
    stats = decay_now(services, T0 + timedelta(days=7) - timedelta(seconds=1))
    assert stats.decayed == 0
    assert _score(services) == 85


def test_after_the_grace_period_behaviour_loses_15_percent_per_30_days(services: Services) -> None:
    _hot_lead_at_t0(services)
    decay_now(services, T0 + timedelta(days=37))
    lead = leads(services)[EMAIL]
    assert lead.fit == 35
    assert lead.behavior == pytest.approx(50 * 0.85, abs=1e-9)
    assert lead.score == pytest.approx(35 + 50 * 0.85, abs=1e-9)


def test_a_new_activity_restarts_the_idle_clock(services: Services) -> None:
    _hot_lead_at_t0(services)
    back = T0 + timedelta(days=67)
    decay_now(services, back)
    assert _score(services) == pytest.approx(35 + 50 * 0.85**2, abs=1e-9)
    ingest(services, [activity(EMAIL, "page_view", url="/pricing", at=iso(back))], at=back)
    after_visit = 35 + 50 * 0.85**2 + 10
    assert _score(services) == pytest.approx(after_visit, abs=1e-9)
    decay_now(services, back + timedelta(days=6))  # inside the new grace period
    assert _score(services) == pytest.approx(after_visit, abs=1e-9)
    decay_now(services, back + timedelta(days=37))
    assert _score(services) == pytest.approx(35 + (50 * 0.85**2 + 10) * 0.85, abs=1e-9)
    expected = rescored(services, back + timedelta(days=37))[EMAIL]
    assert _score(services) == pytest.approx(expected.score, abs=1e-9)


def test_a_lead_that_cooled_below_warm_alerts_again_when_it_turns_hot(services: Services) -> None:
    _hot_lead_at_t0(services)
    two_years = T0 + timedelta(days=730)
    assert decay_now(services, two_years) == DecayStats(decayed=1, cooled=1)
    lead = leads(services)[EMAIL]
    assert (lead.band, lead.alert_armed) == ("cold", True)
    result = ingest(services, [hot_lead(EMAIL, at=iso(two_years))], at=two_years)
    assert len(result.alert_ids) == 1
    with session_scope(services.engine) as session:
        assert len(session.exec(select(Alert)).all()) == 2  # type: ignore[call-overload]


def test_a_lead_that_only_cooled_to_warm_does_not_alert_twice(services: Services) -> None:
    _hot_lead_at_t0(services)
    later = T0 + timedelta(days=100)
    assert decay_now(services, later) == DecayStats(decayed=1, cooled=1)
    lead = leads(services)[EMAIL]
    assert (lead.band, lead.alert_armed) == ("warm", False)
    result = ingest(
        services, [activity(EMAIL, "page_view", url="/pricing", at=iso(later))], at=later
    )
    assert leads(services)[EMAIL].band == "hot"
    assert result.alert_ids == []


def test_the_daily_job_over_90_days_matches_one_run_on_day_90(services: Services) -> None:
    _hot_lead_at_t0(services)
    ingest(services, [hot_lead("other@acme.example", at=iso(T0 - timedelta(days=5)))], at=T0)
    fresh = leads(services)
    with freeze_time(T0) as clock:
        for day in range(1, 91):
            clock.move_to(T0 + timedelta(days=day))
            result = decay_job(services, services.clock())
            assert result.ran and result.outcome and result.outcome.startswith("ok")
    daily = leads(services)
    with session_scope(services.engine) as session:
        save_leads(session=session, leads=list(fresh.values()))
    decay_now(services, T0 + timedelta(days=90))
    for email, lead in leads(services).items():
        assert abs(lead.score - daily[email].score) <= 1e-9


def test_leadscore_decay_at_gives_what_the_job_gives(services: Services, database_url: str) -> None:
    _hot_lead_at_t0(services)
    ingest(services, [hot_lead("other@acme.example", at=iso(T0 - timedelta(days=50)))], at=T0)
    fresh = leads(services)
    at = T0 + timedelta(days=45, hours=3)
    runner = CliRunner()
    env = {"LEADSCORE_DATABASE_URL": database_url, "LEADSCORE_TIMEZONE": "UTC"}
    outcome = runner.invoke(cli, ["decay", "--at", iso(at), "--json"], env=env)
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output) == {"at": iso(at), "decayed": 2, "cooled": 1}
    by_cli = leads(services)
    with session_scope(services.engine) as session:
        save_leads(session=session, leads=list(fresh.values()))
    with freeze_time(at):
        decay_job(services, services.clock())
    assert leads(services) == by_cli


def test_leadscore_decay_refuses_a_malformed_instant(services: Services, database_url: str) -> None:
    env = {"LEADSCORE_DATABASE_URL": database_url}
    outcome = CliRunner().invoke(cli, ["decay", "--at", "next tuesday"], env=env)
    assert outcome.exit_code == 2
    assert "not an ISO date" in outcome.output
