"""Generated rule files: accepted and round-tripped, or refused with every problem located.

A manager edits rules.yml by hand. Whatever they type, ``parse_rule_set``
either returns a rule set (which then hashes, and writes back to YAML that
parses to the same rule set) or raises ``RuleSetError`` whose every line
names the rule or field at fault; ``leadscore rules check`` exits 0 or 2
with those lines, never a traceback.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import cli
from scoring.rule_file import RuleSetError, content_hash, parse_rule_set, rule_set_to_yaml
from tests.conftest import FIXTURES
from tests.reliability.figures import record
from tests.reliability.garbage import json_values, nasty_text
from tests.support.hypothesis_profiles import examples

pytestmark = pytest.mark.slow

BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "rules.yml").read_text())
FIELDS = ("name", "thresholds", "score_range", "decay", "fit", "behavior", "routing", "sla_minutes")
WHOLE_FILE = ("YAML syntax error", "the rule file")


def located(line: str, text: str) -> bool:
    """The line names the rule or field at fault (or the file-level problem)."""
    if line.startswith(WHOLE_FILE):
        return True
    place, _, message = line.partition(": ")
    if not place or not message.strip():
        return False
    first = re.split(r"[.\[ ]", place, maxsplit=1)[0]
    return first in FIELDS or first in text  # an unknown key is named as typed


PATHS = (
    "name", "thresholds", "thresholds.hot", "thresholds.warm", "score_range", "score_range.0",
    "decay", "decay.monthly_rate", "decay.grace_days", "fit", "fit.0", "fit.0.name",
    "fit.0.when", "fit.0.when.field", "fit.0.when.contains_any", "fit.1.when.between",
    "fit.1.when.between.1", "fit.0.points", "behavior", "behavior.0.when.kind",
    "behavior.0.when.url_contains", "behavior.0.when.properties", "behavior.0.max_count",
    "behavior.0.intent", "behavior.1.points", "routing", "routing.0.when.in",
    "routing.0.channel", "routing.0.assignees", "routing.1", "sla_minutes",
)  # fmt: skip
OPERATORS = ("equals", "in", "contains_any", "between", "exists", "email_domain_in", "matches")
yaml_values = st.one_of(
    json_values,
    nasty_text.filter(lambda text: len(text) < 5_000),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), -1, 0, 10**30, 1e-300]),
    st.lists(st.sampled_from(OPERATORS), max_size=3).map(lambda ops: {op: "x" for op in ops}),
)


def _set(data: Any, path: str, action: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    target = data
    for part in parents:
        if isinstance(target, list):
            target = target[int(part)] if part.isdigit() and int(part) < len(target) else None
        else:
            target = target.get(part)
        if not isinstance(target, dict | list):
            return
    if isinstance(target, list) and not (leaf.isdigit() and int(leaf) < len(target)):
        return
    key: Any = int(leaf) if isinstance(target, list) else leaf
    if action == "delete":
        target.pop(key) if isinstance(target, list) else target.pop(key, None)
    elif action == "extra" and isinstance(target, dict):
        target[f"{leaf}_typo"] = value
    else:
        target[key] = value


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        action = draw(st.sampled_from(["set", "set", "delete", "extra"]))
        _set(data, draw(st.sampled_from(PATHS)), action, draw(yaml_values))
    if draw(st.booleans()) and isinstance(data.get("fit"), list):
        data["fit"].append(copy.deepcopy(BASE["fit"][0]))  # a duplicate rule name
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=draw(st.booleans()))
    damage = draw(st.sampled_from(["none", "none", "truncate", "tab", "duplicate_key", "noise"]))
    at = draw(st.integers(min_value=0, max_value=max(0, len(text) - 1)))
    if damage == "truncate":
        text = text[:at]
    elif damage == "tab":
        text = text[:at] + "\t" + text[at:]
    elif damage == "duplicate_key":
        text = text + "name: again\n"
    elif damage == "noise":
        text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


def _check_parse(text: str) -> bool:
    """Accepted and round-tripped (True), or refused with every line located (False)."""
    try:
        rule_set = parse_rule_set(text)
    except RuleSetError as error:
        assert error.errors, "refused without saying why"
        for line in error.errors:
            assert isinstance(line, str) and located(line, text), line
        return False
    assert len(content_hash(text)) == 64
    assert parse_rule_set(rule_set_to_yaml(rule_set)) == rule_set
    return True


FUZZ = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_any_rule_file_parses_or_is_refused_with_located_errors() -> None:
    outcomes: Counter[bool] = Counter()

    @settings(FUZZ, max_examples=examples(600))
    @given(text=rule_files())
    def check(text: str) -> None:
        outcomes[_check_parse(text)] += 1

    check()
    record("fuzz rule files", accepted=outcomes[True], refused=outcomes[False])
    assert outcomes[True] and outcomes[False], f"the files explored one outcome only: {outcomes}"


@settings(FUZZ, max_examples=examples(600))
@given(text=st.text(max_size=300))
def test_any_text_parses_or_is_refused_with_located_errors(text: str) -> None:
    _check_parse(text)


@settings(FUZZ, max_examples=examples(100))
@given(text=rule_files())
def test_rules_check_exits_0_or_2_and_never_shows_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = Path(tmp_path_factory.mktemp("rules")) / "rules.yml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", str(path)], catch_exceptions=False)
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown
    accepted = _check_parse(text)
    assert result.exit_code == (0 if accepted else 2), shown
    if not accepted:
        problems = [
            line.removeprefix("  - ") for line in shown.splitlines() if line.startswith("  - ")
        ]
        assert problems and all(located(p, text) for p in problems), shown
