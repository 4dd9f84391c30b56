"""Calibration on demand is for managers; everyone else is told politely who can."""

from __future__ import annotations

from tests.conftest import MANAGER
from tests.slash_command.conftest import SlackUser, assert_within_limits, texts


def test_a_non_manager_is_refused_politely_with_who_can(slack: SlackUser) -> None:
    reply = slack.command("calibrate")
    shown = texts(reply)
    assert reply["response_type"] == "ephemeral"
    assert "`/leadscore calibrate` is for sales managers" in shown
    assert f"Ask <@{MANAGER}>" in shown
    assert "closed" not in shown


def test_a_manager_gets_the_report_now(slack: SlackUser) -> None:
    reply = slack.command("calibrate 30", user_id=MANAGER)
    assert_within_limits(reply)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Calibration over the last 30 days"
    assert "last 30 days" in texts(reply)


def test_days_out_of_range_are_clamped_and_said(slack: SlackUser) -> None:
    shown = texts(slack.command("calibrate 3", user_id=MANAGER))
    assert "You asked for 3 days; using 7 (between 7 and 365)." in shown
