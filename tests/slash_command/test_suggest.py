"""Did-you-mean suggestions rank what a person would have meant first."""

from __future__ import annotations

from bot.slash_command.suggest import closest


def test_a_typo_finds_the_company() -> None:
    assert closest("acmee", ["acme", "acme labs", "beta", "acne corp"])[0] == "acme"


def test_among_thousands_of_lookalikes_the_exact_digits_win() -> None:
    names = [f"company {i:05d}" for i in range(2000)]
    assert closest("compnay 00219", names)[0] == "company 00219"


def test_nothing_close_suggests_nothing() -> None:
    assert closest("zzz", ["acme", "beta"]) == []
