"""What an SDR types after /leadscore, and what the app understands from it."""

from __future__ import annotations

import pytest

from bot.slash_command.parse import (
    CalibrateQuery,
    CompanyQuery,
    HelpQuery,
    LeadQuery,
    RulesQuery,
    TopQuery,
    parse_command,
)


@pytest.mark.parametrize(
    "text",
    ["ana@acme.io", "  ANA@Acme.IO ", "<mailto:ana@acme.io|ana@acme.io>"],
)
def test_an_email_asks_for_the_lead(text: str) -> None:
    assert parse_command(text) == LeadQuery(email="ana@acme.io")


@pytest.mark.parametrize(("text", "name"), [("Acme", "Acme"), ("acme  corp", "acme corp")])
def test_other_words_name_a_company(text: str, name: str) -> None:
    assert parse_command(text) == CompanyQuery(name=name)


def test_a_linked_domain_is_read_as_its_label() -> None:
    assert parse_command("<http://acme.io|acme.io>") == CompanyQuery(name="acme.io")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("top", TopQuery(limit=10, band="all")),
        ("top 25", TopQuery(limit=25, band="all")),
        ("top 25 hot", TopQuery(limit=25, band="hot")),
        ("TOP Warm 5", TopQuery(limit=5, band="warm")),
        ("top all", TopQuery(limit=10, band="all")),
    ],
)
def test_top_takes_a_count_and_a_band_in_any_order(text: str, expected: TopQuery) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(("text", "limit"), [("top 500", 50), ("top 0", 1), ("top -3", 1)])
def test_top_out_of_range_is_clamped_and_says_so(text: str, limit: int) -> None:
    query = parse_command(text)
    assert isinstance(query, TopQuery)
    assert query.limit == limit
    assert query.note is not None and f"showing {limit}" in query.note


@pytest.mark.parametrize(
    ("text", "days", "clamped"),
    [
        ("calibrate", 90, False),
        ("calibrate 30", 30, False),
        ("calibrate 30d", 30, False),
        ("calibrate 3", 7, True),
        ("calibrate 1000", 365, True),
    ],
)
def test_calibrate_days_default_to_90_within_7_to_365(text: str, days: int, clamped: bool) -> None:
    query = parse_command(text)
    assert isinstance(query, CalibrateQuery)
    assert query.days == days
    assert (query.note is not None) == clamped


def test_rules_and_help() -> None:
    assert parse_command("rules") == RulesQuery()
    assert parse_command("Help") == HelpQuery()


@pytest.mark.parametrize("text", ["", "   ", None])
def test_nothing_typed_shows_the_help(text: str | None) -> None:
    assert parse_command(text) == HelpQuery()


@pytest.mark.parametrize(
    "text",
    [
        "top banana",
        "top 5 10",
        "top hot warm",
        "rules please",
        "calibrate soon",
        "!!!",
        "<@U123>",
        "ana@acme.io bob@acme.io",
        "x" * 200,
    ],
)
def test_anything_else_is_the_help_with_what_was_not_understood(text: str) -> None:
    query = parse_command(text)
    assert isinstance(query, HelpQuery)
    assert query.problem is not None and "didn't understand" in query.problem
    assert len(query.problem) < 100
