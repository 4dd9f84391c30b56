"""Base points: every lead starts at ``base``, the total is clamped, old files keep their hash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scoring.evaluate import LeadProfile, score_lead
from scoring.rule_file import RuleSetError, content_hash, parse_rule_set, rule_set_to_yaml

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)

FILE = """
name: with base
thresholds: {hot: 70, warm: 40}
fit:
  - name: Senior title
    when: {field: title, equals: VP}
    points: 20
  - name: Government
    when: {field: industry, equals: Gov}
    points: -40
"""


def test_a_lead_with_no_rule_scores_the_base() -> None:
    rules = parse_rule_set(FILE + "base: 30\n")
    result = score_lead(rules, LeadProfile(email="a@b.io"), [], now=NOW)
    assert (result.score, result.fit, result.base) == (30, 0, 30)


def test_base_adds_before_the_clamp() -> None:
    rules = parse_rule_set(FILE + "base: 30\n")
    gov = score_lead(rules, LeadProfile(email="a@b.io", industry="Gov"), [], now=NOW)
    vp = score_lead(rules, LeadProfile(email="a@b.io", title="VP"), [], now=NOW)
    assert gov.score == 0  # 30 - 40 clamps at the bottom of the range
    assert vp.score == 50


def test_a_file_without_base_keeps_its_hash_and_reads_without_it() -> None:
    plain = parse_rule_set(FILE)
    assert (plain.base, plain.max_rules) == (0, 15)
    assert content_hash(FILE) == content_hash(FILE + "base: 0\nmax_rules: 15\n")
    assert content_hash(FILE) != content_hash(FILE + "base: 5\n")
    assert "\nbase:" not in rule_set_to_yaml(plain)
    written = rule_set_to_yaml(parse_rule_set(FILE + "base: -5\nmax_rules: 8\n"))
    assert "base: -5" in written and "max_rules: 8" in written
    assert parse_rule_set(written).base == -5


@pytest.mark.parametrize("line", ["base: 2.5\n", "base: true\n", "max_rules: 0\n"])
def test_base_and_max_rules_are_whole_numbers(line: str) -> None:
    with pytest.raises(RuleSetError) as refused:
        parse_rule_set(FILE + line)
    assert line.split(":")[0] in str(refused.value)
