"""Which deals judge a rule set: those its points were never fitted on.

A suggestion records the end of the window it was fitted on (``fitted_until``);
the verdict then leaves out the training-side deals that closed before it,
and judges rules written by hand on every deal in the window.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.digest.calibration_run import run_calibration
from bot.rules_admin import apply_rules
from bot.services import Services
from scoring.rule_file import content_hash, parse_rule_set, rule_set_to_yaml
from storage.engine import session_scope
from tests.digest.worlds import NOW, START, ingest_leads, small_world, synthetic_world


def _apply_marked(services: Services, until: datetime) -> None:
    with session_scope(services.engine) as session:
        rules = services.rulebook.active(session).rule_set
    marked = rules.model_copy(update={"fitted_until": until})
    apply_rules(services, text=rule_set_to_yaml(marked), applied_by="test")


def test_hand_written_rules_are_judged_on_every_deal(services: Services) -> None:
    ingest_leads(services, small_world())
    report = run_calibration(services, now=NOW).report
    assert report.ranking is not None
    assert report.ranking.closed == report.closed == 40
    assert report.holdout_closed < report.closed


@pytest.mark.parametrize(("until", "all_judged"), [(NOW, False), (START, True)])
def test_a_fitted_rule_set_is_judged_only_on_deals_its_fit_never_saw(
    services: Services, until: datetime, all_judged: bool
) -> None:
    _apply_marked(services, until)
    ingest_leads(services, small_world())  # deals close between START and NOW
    report = run_calibration(services, now=NOW).report
    assert report.ranking is not None
    expected = report.closed if all_judged else report.holdout_closed
    assert report.ranking.closed == expected


def test_a_suggestion_records_the_window_it_was_fitted_on(services: Services) -> None:
    ingest_leads(services, synthetic_world())
    run = run_calibration(services, now=NOW)
    assert run.has_suggestion
    suggested = run.suggested
    assert suggested.fitted_until == NOW
    written = rule_set_to_yaml(suggested)
    assert parse_rule_set(written) == suggested
    assert "fitted_until" in written
    unmarked = rule_set_to_yaml(suggested.model_copy(update={"fitted_until": None}))
    assert "fitted_until" not in unmarked
    assert content_hash(unmarked) == content_hash(unmarked + "fitted_until: null\n")
