"""Routing decisions as pure functions: weighted turns, hours across midnight, absences."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scoring.routing import RepStatus, in_turn, local_day, rotation, unavailable, zone_of
from scoring.rule_file import RuleSetError, content_hash, parse_rule_set
from scoring.rule_set import Assignee, RoutingRule
from tests.conftest import FIXTURES

BERLIN = ZoneInfo("Europe/Berlin")


def test_weights_spread_turns_evenly() -> None:
    turns = rotation([Assignee(user="U1", weight=3), Assignee(user="U2")])
    assert turns == ("U1", "U1", "U2", "U1")
    assert in_turn(turns, 2) == ["U2", "U1"]
    assert in_turn((), 0) == []


@pytest.mark.parametrize(
    ("hours", "local", "expected"),
    [
        ("09:00-18:00", "2026-11-25T08:59:00", "out of hours (09:00-18:00 Europe/Berlin)"),
        ("09:00-18:00", "2026-11-25T09:00:00", None),
        ("09:00-18:00", "2026-11-25T18:00:00", "out of hours (09:00-18:00 Europe/Berlin)"),
        ("22:00-06:00", "2026-11-25T23:30:00", None),
        ("22:00-06:00", "2026-11-25T05:59:00", None),
        ("22:00-06:00", "2026-11-25T12:00:00", "out of hours (22:00-06:00 Europe/Berlin)"),
    ],
)
def test_hours_in_the_reps_zone(hours: str, local: str, expected: str | None) -> None:
    rule = RoutingRule(channel="C1", hours=hours)
    now = datetime.fromisoformat(local).replace(tzinfo=BERLIN)
    assert unavailable(rule, None, BERLIN, now) == expected


def test_days_and_absences() -> None:
    rule = RoutingRule(channel="C1", days=["mon", "tue", "wed", "thu", "fri"])
    saturday = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert unavailable(rule, None, BERLIN, saturday) == (
        "off today (mon, tue, wed, thu, fri, Europe/Berlin)"
    )
    away = RepStatus("U1", away_since=saturday, away_until=datetime(2026, 12, 3, 23, tzinfo=UTC))
    wednesday = datetime(2026, 12, 2, 12, tzinfo=UTC)
    assert unavailable(None, away, BERLIN, wednesday) == "away until 2026-12-03"
    assert unavailable(None, away, BERLIN, datetime(2026, 12, 4, 1, tzinfo=UTC)) is None
    assert local_day(ZoneInfo("Asia/Tokyo"), datetime(2026, 11, 25, 20, tzinfo=UTC)) == "2026-11-26"


def test_zone_precedence() -> None:
    rule = RoutingRule(channel="C1", timezone="Asia/Tokyo")
    assert zone_of(rule, "Europe/Berlin", "UTC").key == "Asia/Tokyo"
    assert zone_of(None, "Europe/Berlin", "UTC").key == "Europe/Berlin"
    assert zone_of(None, "Not/AZone", "America/Chicago").key == "America/Chicago"


def test_spelling_out_defaults_does_not_make_a_new_version() -> None:
    text = (FIXTURES / "rules.yml").read_text()
    spelled = (
        text.replace(
            "    assignees: [U01, U02]\n",
            "    assignees: [{user: U01, weight: 1}, U02]\n    max_reassignments: 2\n"
            "    owner_claims: true\n",
        )
        + "account_heat: {leads: 3, days: 7}\n"
    )
    assert parse_rule_set(spelled).routing[0].max_reassignments == 2
    assert content_hash(spelled) == content_hash(text)
    assert content_hash(text + "account_heat: false\n") != content_hash(text)


def test_routing_mistakes_are_named() -> None:
    text = (
        (FIXTURES / "rules.yml")
        .read_text()
        .replace(
            "    assignees: [U01, U02]\n",
            '    assignees: [U01, {user: U02, weight: 0}]\n    hours: "9-5"\n    days: [funday]\n',
        )
    )
    with pytest.raises(RuleSetError) as refused:
        parse_rule_set(text + "account_heat: {leads: 1}\n")
    errors = "\n".join(refused.value.errors)
    assert "routing[0]: assignees[1].weight" in errors
    assert 'routing[0]: hours: should be HH:MM-HH:MM in 24-hour time, e.g. "09:00-18:00"' in errors
    assert "routing[0]: days[0]" in errors
    assert "account_heat: leads: Input should be greater than or equal to 2" in errors
