"""A manager asks for the ranking: the best leads now, their age and who owns them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, update

from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Alert
from tests.slash_command.conftest import NOW, SlackUser, assert_within_limits, texts
from tests.support.events import activity, hot_lead, lead_created


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat().replace("+00:00", "Z")


def a_pipeline(slack: SlackUser) -> None:
    """3 hot leads, 2 warm (a pricing visit + senior), 8 cold."""
    slack.ingest(
        *[hot_lead(f"hot{i}@acme.io", at=iso(timedelta(hours=i + 1))) for i in range(3)],
        *[
            activity(f"warm{i}@beta.io", "demo_request", company="Beta", at=iso(timedelta(days=2)))
            for i in range(2)
        ],
        *[lead_created(f"cold{i}@gamma.io", company="Gamma") for i in range(8)],
    )


def claim(slack: SlackUser, email: str, user_id: str) -> None:
    with session_scope(slack.services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None
        session.execute(
            update(Alert)
            .where(Alert.lead_id == lead.id)  # type: ignore[arg-type]
            .values(claimed_by=user_id, claimed_at=NOW - timedelta(minutes=5))
        )


def test_top_ranks_the_ten_best_with_claims_and_ages(slack: SlackUser) -> None:
    a_pipeline(slack)
    claim(slack, "hot1@acme.io", "U01")
    reply = slack.command("top")
    assert_within_limits(reply)
    assert reply["response_type"] == "ephemeral"
    shown = texts(reply)
    assert "Top 10 leads" in shown
    lines = [line for line in shown.splitlines() if re.match(r"^\d+\. ", line)]
    assert len(lines) == 10
    assert lines[0].startswith("1. *85* :fire: hot  *hot0@acme.io* · VP Sales · Acme")
    assert "active 1 h ago · unclaimed" in lines[0]
    assert "claimed by <@U01>" in lines[1]
    assert "active 2 d ago" in lines[3]
    assert "no alert" in lines[3]


def test_top_hot_and_warm_filter_by_band(slack: SlackUser) -> None:
    a_pipeline(slack)
    hot = texts(slack.command("top hot"))
    assert "Top 3 hot leads" in hot
    assert "beta.io" not in hot and "gamma.io" not in hot
    warm = texts(slack.command("top 5 warm"))
    assert "Top 2 warm leads" in warm
    assert warm.count("@beta.io") == 2 and "acme.io" not in warm


def test_too_many_is_clamped_to_fifty_and_said(slack: SlackUser) -> None:
    a_pipeline(slack)
    shown = texts(slack.command("top 500"))
    assert "You asked for 500; showing 50 (between 1 and 50)." in shown
    assert "Top 13 leads" in shown


def test_no_hot_lead_says_so(slack: SlackUser) -> None:
    slack.ingest(lead_created("cold@gamma.io"))
    assert "No hot lead right now." in texts(slack.command("top hot"))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_claims_of_the_ranking_come_in_one_query(slack: SlackUser) -> None:
    a_pipeline(slack)
    with statements(slack.services.engine) as seen:
        slack.command("top 10")
    assert len([s for s in seen if "FROM alerts" in s]) == 1
    assert not [s for s in seen if "count(" in s.lower()]
