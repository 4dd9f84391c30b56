"""``leadscore calibrate``: the same report in a terminal, and the contract's stable JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from bot.cli.main import cli
from bot.services import Services
from scoring.rule_file import parse_rule_set
from tests.conftest import FIXTURES
from tests.digest.worlds import NOW, ingest_leads, small_world, synthetic_world

DOCS = Path(__file__).parents[2] / "docs" / "calibration.md"

CONTRACT = [
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
CONTRACT_BAND = ["label", "min", "max", "closed", "won", "conversion"]
CONTRACT_RULE = ["name", "points", "suggested_points", "fired", "lift"]
EXTRA = [
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
]
EXTRA_BAND = ["ci_low", "ci_high"]
EXTRA_RULE = [
    "kind",
    "fired_won",
    "not_fired",
    "not_fired_won",
    "conversion_fired",
    "conversion_not_fired",
    "new",
    "when",
    "max_count",
]


def calibrate(services: Services, *args: str) -> Result:
    env = {
        "LEADSCORE_DATABASE_URL": services.settings.database_url,
        "LEADSCORE_RULES_FILE": str(FIXTURES / "rules.yml"),
    }
    with freeze_time(NOW):
        return CliRunner().invoke(cli, ["calibrate", *args], env=env, catch_exceptions=False)


def test_json_keys_are_the_contracts_in_its_order(services: Services) -> None:
    ingest_leads(services, small_world())
    result = calibrate(services, "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data)[: len(CONTRACT)] == CONTRACT
    assert set(data) == set(CONTRACT + EXTRA)
    for band in data["bands"] + data["quintiles"]:
        assert set(band) == set(CONTRACT_BAND + EXTRA_BAND)
    for rule in data["rules"]:
        assert set(rule) == set(CONTRACT_RULE + EXTRA_RULE)
    assert set(data["auc"]) == {
        "current",
        "suggested",
        "current_low",
        "current_high",
        "suggested_low",
        "suggested_high",
    }
    assert set(data["base"]) == {"points", "suggested_points"}
    assert isinstance(data["apply_offered"], bool)
    assert set(data["won_below_hot"]) == {"count", "share", "examples"}
    assert (data["window_days"], data["closed"], data["won"]) == (90, 40, 14)
    assert [b["label"] for b in data["bands"]] == ["cold", "warm", "hot"]
    assert data["verdict"] == "healthy" and data["spread"] == pytest.approx(8.0)


def test_every_json_key_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text(encoding="utf-8")))
    everything = CONTRACT + EXTRA + CONTRACT_BAND + EXTRA_BAND + CONTRACT_RULE + EXTRA_RULE
    assert set(everything) - documented == set()


def test_days_narrow_the_window(services: Services) -> None:
    ingest_leads(services, small_world())
    data = json.loads(calibrate(services, "--days", "7", "--json").output)
    assert (data["window_days"], data["closed"], data["verdict"]) == (7, 0, "not enough data")


def test_terminal_report_tells_the_same_story(sqlite_services: Services) -> None:
    ingest_leads(sqlite_services, small_world())
    result = calibrate(sqlite_services)

    assert result.exit_code == 0, result.output
    out = result.output
    assert "40 deals closed in the 90 days to 2026-" in out and "14 won" in out
    assert "Healthy: hot leads convert 8.0x as often as cold ones" in out
    assert "6 of 14 won deals (43%) entered below hot (70): cold" in out
    assert "Senior title" in out and "Demo request" in out
    assert "AUC current" in out


def test_a_bad_window_is_one_line_and_exit_2(sqlite_services: Services) -> None:
    result = calibrate(sqlite_services, "--days", "0")
    assert result.exit_code == 2
    assert "--days" in result.output and "Traceback" not in result.output


def test_write_rules_writes_a_file_rules_check_accepts(
    sqlite_services: Services, tmp_path: Path
) -> None:
    ingest_leads(sqlite_services, synthetic_world(seed=7, size=400))
    target = tmp_path / "suggested.yml"
    result = calibrate(sqlite_services, "--write-rules", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(calibrate(sqlite_services, "--json").output)
    assert data["apply_offered"] is True
    assert f"written to {target}" in " ".join(result.output.split())
    checked = CliRunner().invoke(cli, ["rules", "check", str(target)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    suggested = parse_rule_set(target.read_text(encoding="utf-8"))
    assert suggested.base == data["base"]["suggested_points"]


def test_write_rules_writes_nothing_and_says_why_when_nothing_is_offered(
    sqlite_services: Services, tmp_path: Path
) -> None:
    ingest_leads(sqlite_services, small_world())
    target = tmp_path / "suggested.yml"
    result = calibrate(sqlite_services, "--write-rules", str(target))
    assert result.exit_code == 0, result.output
    assert not target.exists()
    assert "No rule file written" in result.output and "nothing is offered" in result.output


def test_until_ends_the_window_and_days_has_no_upper_limit(sqlite_services: Services) -> None:
    ingest_leads(sqlite_services, small_world())
    before = json.loads(calibrate(sqlite_services, "--until", "2020-01-01", "--json").output)
    assert before["closed"] == 0
    ever = calibrate(
        sqlite_services, "--until", NOW.date().isoformat(), "--days", "100000", "--json"
    )
    assert ever.exit_code == 0, ever.output
    assert json.loads(ever.output)["closed"] == 40
    bad = calibrate(sqlite_services, "--until", "last tuesday")
    assert bad.exit_code == 2 and "--until" in bad.output
