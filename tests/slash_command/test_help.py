"""Help, and anything not understood, answers with examples instead of an error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from storage.engine import session_scope
from storage.models import Alert, JobRun
from tests.conftest import MANAGER
from tests.slash_command.conftest import NOW, SlackUser, assert_within_limits, texts
from tests.support.events import hot_lead


@pytest.mark.parametrize("typed", ["help", ""])
def test_help_lists_every_command_with_examples(slack: SlackUser, typed: str) -> None:
    reply = slack.command(typed)
    assert_within_limits(reply)
    assert reply["response_type"] == "ephemeral"
    shown = texts(reply)
    for example in (
        "/leadscore ana@acme.io",
        "/leadscore Acme",
        "/leadscore top 25 hot",
        "/leadscore rules",
        "/leadscore calibrate 90",
        "/leadscore help",
    ):
        assert example in shown
    assert "Status" not in shown
    assert "didn't understand" not in shown


@pytest.mark.parametrize("typed", ["top banana", "rules please", "calibrate soon", "!!!"])
def test_unknown_input_gets_the_help_saying_what_was_not_understood(
    slack: SlackUser, typed: str
) -> None:
    shown = texts(slack.command(typed))
    assert f"I didn't understand “{typed}”" in shown
    assert "/leadscore top 25 hot" in shown


def test_managers_also_see_job_and_delivery_status(slack: SlackUser) -> None:
    with session_scope(slack.services.engine) as session:
        session.add(
            JobRun(
                job="digest",
                period="2026-W48",
                holder="replica-1",
                started_at=NOW - timedelta(hours=3),
                lease_until=NOW,
                finished_at=NOW - timedelta(hours=3),
                outcome="posted",
            )
        )
    reply = slack.command("help", user_id=MANAGER)
    assert_within_limits(reply)
    shown = texts(reply)
    assert "*Status*" in shown
    assert "• digest 2026-W48: posted, 3 h ago" in shown


def test_managers_see_alerts_slack_refused_for_good(slack: SlackUser) -> None:
    pytest.importorskip("bot.alerts", reason="alert delivery is another package")
    slack.ingest(hot_lead("ana@acme.io"))
    with session_scope(slack.services.engine) as session:
        session.execute(update(Alert).values(status="failed", last_error="channel_not_found"))
    shown = texts(slack.command("help", user_id=MANAGER))
    assert "<#C0SDR>" in shown
    assert "channel_not_found" in shown
    assert "channel_not_found" not in texts(slack.command("help"))
