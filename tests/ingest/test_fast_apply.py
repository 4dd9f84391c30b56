"""A rule change that only moves points rescores from the stored tallies, as a replay would.

Calibration suggests new points (and a base) for the same rules; applying
them must give every lead the very score a replay of its history gives,
without reading any history, on SQLite and PostgreSQL. Leads the stored
tallies cannot rescore are replayed, and a rule change never pages an SDR.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import yaml
from click.testing import CliRunner
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import func, select, update

from bot.cli.main import cli
from bot.ingest.rescore import rescore_all
from bot.rules_admin import apply_rules
from bot.scheduler import decay_now
from bot.services import Services
from storage.engine import session_scope
from storage.leads import LeadState
from storage.models import Alert, Lead
from tests.scheduler.conftest import (
    DAY_US,
    NEGATIVE_RULES,
    T0,
    TOLERANCE,
    leads,
    populate,
    populations,
)

PROPERTIES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
POPULATION = populations(max_activities=8)
POINTS = st.integers(min_value=-40, max_value=60) | st.floats(
    min_value=-40, max_value=60, allow_nan=False
)
LATER = st.integers(min_value=0, max_value=120 * DAY_US).map(lambda us: timedelta(microseconds=us))


def changed(text: str, points: list[float], base: int = 0, **top: Any) -> str:
    """The same rules with other points (in fit-then-behaviour order) and base."""
    data = yaml.safe_load(text)
    for rule, value in zip([*data["fit"], *data["behavior"]], points, strict=False):
        rule["points"] = value
    data.update(base=base, **top)
    return yaml.safe_dump(data, sort_keys=False)


@contextmanager
def no_history_read() -> Iterator[None]:
    """Fail the test if the rescoring reads any lead's history."""

    def refuse(**_: Any) -> Any:
        raise AssertionError("a points-only change read a history")

    with patch("bot.ingest.rescore.history", refuse):
        yield


def apply_at(services: Services, text: str, at: datetime) -> int:
    with freeze_time(at):
        return apply_rules(services, text=text, applied_by="tests").rescored


def replayed(services: Services, at: datetime) -> dict[str, LeadState]:
    """Every lead as a full replay of its history under the active rules stores it at ``at``."""
    with session_scope(services.engine) as session:
        session.execute(update(Lead).values(rule_set_version=None))
    rescore_all(engine=services.engine, rulebook=services.rulebook, now=at)
    return leads(services)


def assert_same(
    fast: dict[str, LeadState], slow: dict[str, LeadState], *, decayed: bool = False
) -> None:
    assert fast.keys() == slow.keys()
    for email, lead in fast.items():
        expected = slow[email]
        assert lead.fit == expected.fit, email
        assert lead.fit_hits == expected.fit_hits, email
        assert lead.behavior_decaying == expected.behavior_decaying, email
        assert lead.behavior_fixed == expected.behavior_fixed, email
        assert abs(lead.behavior - expected.behavior) <= TOLERANCE, email
        assert abs(lead.score - expected.score) <= TOLERANCE, email
        assert lead.band == expected.band, email
        assert lead.alert_armed == expected.alert_armed, email
        assert lead.alert_cycle == expected.alert_cycle, email
        assert decayed or lead.scored_at == expected.scored_at, email
        assert lead.behavior_tally == expected.behavior_tally, email
        assert lead.rule_set_version == expected.rule_set_version, email


@PROPERTIES
@given(
    population=POPULATION,
    points=st.lists(POINTS, min_size=6, max_size=6),
    base=st.integers(min_value=-30, max_value=30),
    later=LATER,
)
def test_a_points_only_change_gives_every_lead_the_score_a_replay_gives(
    services: Services, population: list[Any], points: list[float], base: int, later: timedelta
) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, population)
    at = T0 + later
    with no_history_read():
        rescored = apply_at(services, changed(NEGATIVE_RULES, points, base), at)
    assert rescored == len(population)
    assert_same(leads(services), replayed(services, at))


def test_a_base_change_moves_every_score_and_decay_keeps_it(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, [(True, False, [(("demo_request", None), 20 * DAY_US)]), (False, False, [])])
    before = leads(services)
    with no_history_read():
        apply_at(services, changed(NEGATIVE_RULES, [20, 15, 10, 50, 2, -30], base=12), T0)
    after = leads(services)
    for email, lead in after.items():
        assert lead.score == min(before[email].score + 12, 100), email
    assert after["lead1@example.com"].score == 12  # did nothing, is nobody: the base alone
    later = T0 + timedelta(days=40)
    decay_now(services, later)
    assert_same(leads(services), replayed(services, later), decayed=True)


def test_leads_the_stored_tallies_cannot_rescore_are_replayed(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    demo = [(("demo_request", None), DAY_US), (("page_view", "/pricing"), 2 * DAY_US)]
    populate(services, [(True, True, demo), (False, True, demo), (True, False, demo)])
    with session_scope(services.engine) as session:  # as migrations 0003 and 0008 leave leads
        session.execute(update(Lead).where(Lead.email == "lead0@example.com").values(fit_hits=None))
        session.execute(
            update(Lead).where(Lead.email == "lead1@example.com").values(behavior_tally=None)
        )
    text = changed(NEGATIVE_RULES, [25, 5, 12, 40, 3, -20], base=3)
    assert apply_at(services, text, T0) == 3
    assert_same(leads(services), replayed(services, T0))


def test_a_changed_condition_replays_every_lead(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, [(True, True, [(("page_view", "/blog"), DAY_US)])])
    text = NEGATIVE_RULES.replace("url_contains: /pricing", "url_contains: /blog")
    apply_at(services, text, T0)
    assert leads(services)["lead0@example.com"].score == 20 + 15 + 10
    assert_same(leads(services), replayed(services, T0))


def test_points_that_make_leads_hot_or_cold_arm_them_as_a_replay_does_and_page_nobody(
    services: Services,
) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    demo = [(("demo_request", None), DAY_US)]
    # lead0: 20 + 15 + 50 = 85, hot and alerted; lead1: 50, warm; lead2: 15 + 0, cold.
    populate(services, [(True, True, demo), (False, False, demo), (False, True, [])])
    before = leads(services)
    assert [lead.band for lead in before.values()] == ["hot", "warm", "cold"]
    with session_scope(services.engine) as session:
        alerts = session.execute(select(func.count()).select_from(Alert)).scalar_one()
    # Demo requests now worth 25 (lead1 cools below warm), ICP size 70 (lead2 turns hot).
    with no_history_read():
        apply_at(services, changed(NEGATIVE_RULES, [20, 70, 10, 25, 2, -30]), T0)
    after = leads(services)
    assert [lead.band for lead in after.values()] == ["hot", "cold", "hot"]
    assert after["lead0@example.com"].score == 100  # 20 + 70 + 25, clamped
    assert not after["lead2@example.com"].alert_armed  # hot without an alert: no page
    assert after["lead1@example.com"].alert_armed  # cooled below warm: may alert again
    assert_same(after, replayed(services, T0))
    with session_scope(services.engine) as session:
        assert session.execute(select(func.count()).select_from(Alert)).scalar_one() == alerts
    assert {lead.alert_cycle for lead in after.values()} == {
        lead.alert_cycle for lead in before.values()
    }


def test_leads_scored_under_another_version_meanwhile_are_replayed(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, [(True, True, []), (False, True, [])])
    with session_scope(services.engine) as session:
        session.execute(update(Lead).values(rule_set_version=999))
    # Neither lead can be rescored from its tally (of another version): both are replayed.
    assert apply_at(services, changed(NEGATIVE_RULES, [1, 2, 3, 4, 5, -6]), T0) == 2
    assert leads(services)["lead0@example.com"].fit == 1 + 2
    assert_same(leads(services), replayed(services, T0))


def test_apply_says_how_many_leads_it_rescores_and_reports_each_step(services: Services) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, [(True, True, [(("demo_request", None), DAY_US)])] * 3)
    heard: list[int] = []
    steps: list[int] = []
    with freeze_time(T0):
        outcome = apply_rules(
            services,
            text=changed(NEGATIVE_RULES, [1, 2, 3, 4, 5, -6]),
            applied_by="tests",
            started=heard.append,
            progress=steps.append,
        )
    assert heard == [3] and sum(steps) == outcome.rescored == 3


def test_rules_apply_shows_a_progress_bar_on_a_terminal(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    populate(services, [(True, False, [(("email_open", None), DAY_US)])] * 4)
    rule_file = tmp_path / "rules.yml"
    rule_file.write_text(changed(NEGATIVE_RULES, [20, 15, 10, 50, 3, -30], base=5))
    terminal = StringIO()
    monkeypatch.setattr(
        "bot.cli.rules.errors", Console(file=terminal, force_terminal=True, width=100)
    )
    env = {"LEADSCORE_DATABASE_URL": services.settings.database_url}
    with freeze_time(T0):
        result = CliRunner().invoke(
            cli, ["rules", "apply", str(rule_file)], env=env, catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    assert "as version 3; 4 leads rescored." in result.output
    shown = terminal.getvalue()
    assert "rescoring leads" in shown and "4/4" in shown
    assert leads(services)["lead0@example.com"].score == 5 + 20 + 3
