"""An SDR asks about a company: its leads ranked, or the closest names if none match."""

from __future__ import annotations

from typing import Any

from tests.slash_command.conftest import SlackUser, assert_within_limits, texts
from tests.support.events import activity, lead_created


def test_company_leads_are_ranked_best_first(slack: SlackUser) -> None:
    slack.ingest(
        lead_created("cy@acme.io", name="Cy", title="Intern", company="Acme"),
        activity(
            "ana@acme.io",
            "demo_request",
            name="Ana",
            title="VP Sales",
            company="Acme",
            company_size=250,
        ),
        activity(
            "bo@acme.io",
            "page_view",
            url="https://ex.com/pricing",
            name="Bo",
            title="Director IT",
            company="ACME",
        ),
        lead_created("zed@other.io", company="Other"),
    )
    reply = slack.command("acme")
    assert_within_limits(reply)
    assert reply["response_type"] == "ephemeral"
    shown = texts(reply)
    assert "Acme: 3 leads" in shown
    ana, bo, cy = (shown.index(f"*{name}*") for name in ("Ana", "Bo", "Cy"))
    assert ana < bo < cy
    assert "1. *85* :fire: hot  *Ana* · VP Sales · ana@acme.io" in shown
    assert "2. *30* :snowflake: cold  *Bo* · Director IT" in shown
    assert "zed@other.io" not in shown


def test_a_company_of_one_lead_shows_its_score_card(slack: SlackUser) -> None:
    slack.ingest(activity("ana@acme.io", "demo_request", name="Ana", company="Acme"))
    assert "*Why*" in texts(slack.command("Acme"))


def test_unknown_company_suggests_the_closest_names(slack: SlackUser) -> None:
    slack.ingest(
        lead_created("ana@acme.io", company="Acme"),
        lead_created("al@acme-labs.io", company="Acme Labs"),
        lead_created("bo@beta.io", company="Beta"),
    )
    shown = texts(slack.command("Acmee"))
    assert "No company or lead matches *Acmee*" in shown
    assert "`/leadscore acme`" in shown
    assert "beta" not in shown


def test_a_thousand_lead_company_is_truncated_within_slack_limits(slack: SlackUser) -> None:
    long_title = "Senior Vice President of Worldwide Revenue Operations and Strategy " * 3
    slack.ingest(
        *[
            lead_created(
                f"person{i:04d}@megacorp.io",
                name=f"Person {i:04d} " + "X" * 60,
                title=long_title,
                company="MegaCorp",
            )
            for i in range(1000)
        ]
    )
    reply = slack.command("megacorp")
    assert_within_limits(reply)
    blocks: list[dict[str, Any]] = reply["blocks"]
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    shown = texts(reply)
    assert "MegaCorp: 1,000 leads" in shown
    listed = shown.count("@megacorp.io")
    assert 0 < listed <= 50
    assert f"_…and {1000 - listed} more_" in shown
