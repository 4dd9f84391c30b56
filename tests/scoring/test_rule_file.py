"""Rule files: what a manager sees when a file is wrong, and lossless round trips."""

from __future__ import annotations

from textwrap import dedent

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring.rule_file import (
    RuleSetError,
    bundled_rules_text,
    content_hash,
    parse_rule_set,
    rule_set_to_yaml,
)
from scoring.rule_set import BehaviorRule, FitRule, RoutingRule, RuleSet

HEADER = "name: test\nthresholds: {hot: 70, warm: 40}\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(text)
    assert caught.value.errors, "a RuleSetError must say what is wrong"
    return caught.value.errors


def test_a_minimal_file_gets_the_documented_defaults() -> None:
    rule_set = parse_rule_set(HEADER)
    assert (rule_set.score_range, rule_set.decay.monthly_rate, rule_set.decay.grace_days) == (
        (0, 100),
        0.15,
        7,
    )
    assert rule_set.fit == rule_set.behavior == rule_set.routing == []


def test_yaml_syntax_error_gives_line_and_column() -> None:
    badly_indented = "fit:\n  - name: a\n    points: 1\n   when: {kind: x}\n"
    (error,) = errors_of(HEADER + badly_indented)
    assert error.startswith("YAML syntax error at line 6, column 4: ")


def test_a_repeated_key_is_refused_instead_of_silently_replacing_the_first() -> None:
    (error,) = errors_of(HEADER + "fit: []\nfit: []\n")
    assert "line 4" in error and "duplicate key 'fit' (first at line 3)" in error


def test_a_key_that_is_not_text_is_refused_with_its_line() -> None:
    (error,) = errors_of(HEADER + "fit:\n- {name: a, 1: x}\n")
    assert error.startswith("YAML syntax error at line 4, column 13: key 1 should be text")


def test_yaml_merge_keys_may_share_settings_between_rules() -> None:
    rule_set = parse_rule_set(
        HEADER
        + dedent("""\
            behavior:
              - &visit {name: Visit, when: {kind: page_view}, points: 5, max_count: 2}
              - <<: *visit
                name: Pricing visit
                when: {kind: page_view, url_contains: /pricing}
        """)
    )
    assert [(r.name, r.points, r.max_count) for r in rule_set.behavior] == [
        ("Visit", 5, 2),
        ("Pricing visit", 5, 2),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "the rule file is empty"), ("- name: x\n", "must be a mapping"), ("hot\n", "mapping")],
)
def test_a_file_that_is_not_a_mapping_is_refused(text: str, expected: str) -> None:
    (error,) = errors_of(text)
    assert expected in error


def test_norway_stays_norway() -> None:
    rule_set = parse_rule_set(
        HEADER + "fit:\n- {name: Nordics, when: {field: country, in: [NO, SE, yes]}, points: 5}\n"
    )
    assert rule_set.fit[0].when.in_ == ["NO", "SE", "yes"]


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "colour: blue\n",
            "colour: unknown key (expected one of name, thresholds, score_range, decay, fit, "
            "behavior, routing, sla_minutes, account_heat, base, max_rules, fitted_until)",
        ),
        ("behaviour: []\n", "behaviour: unknown key (did you mean 'behavior'?)"),
        (
            "behavior:\n- {name: Demo request, when: {kind: demo_request}}\n",
            'behavior rule "Demo request" (behavior[0]): points: field required',
        ),
        (
            "fit:\n- {name: Senior title, when: {field: title, contains_any: VP}, points: 20}\n",
            'fit rule "Senior title" (fit[0]): when.contains_any: Input should be a valid list',
        ),
        (
            "fit:\n- {name: Both, when: {field: title, equals: VP, in: [VP]}, points: 1}\n",
            'fit rule "Both" (fit[0]): when: give exactly one of equals, in, contains_any, '
            "between, exists, email_domain_in (got equals, in)",
        ),
        (
            "fit:\n- {name: Size, when: {field: company_size, between: [500, 200]}, points: 1}\n",
            'fit rule "Size" (fit[0]): when: between: the lower bound is greater than the upper',
        ),
        (
            "fit:\n- {name: Job, when: {field: job_title, exists: true}, points: 1}\n",
            "fit rule \"Job\" (fit[0]): when: unknown field 'job_title'",
        ),
        (
            "behavior:\n- {name: Opens, when: {kind: email_open}, points: 2, max_count: 0}\n",
            'behavior rule "Opens" (behavior[0]): max_count: must be a positive whole number',
        ),
        (
            "behavior:\n- {name: Opens, when: {kind: email_open}, points: 2, max_count: true}\n",
            'behavior rule "Opens" (behavior[0]): max_count: must be a positive whole number',
        ),
        (
            "behavior:\n- {name: Opens, when: {kind: email_open}, points: .nan}\n",
            'behavior rule "Opens" (behavior[0]): points: Input should be a finite number',
        ),
        ("thresholds: {hot: 70, warm: 40}\n", "duplicate key 'thresholds'"),
        ("score_range: [0, 50]\n", "thresholds.hot: 70 is outside score_range [0, 50]"),
        ("score_range: [100, 0]\n", "score_range: the lower bound 100 is above the upper"),
        ("routing: [{channel: ''}]\n", "routing[0]: channel: String should have at least 1"),
        (
            "routing:\n- {when: {field: region, in: [EMEA]}, channel: C0EMEA}\n",
            "routing: add a last rule without `when` as the fallback channel",
        ),
        (
            "routing: [{channel: C0SDR}, {when: {field: region, equals: EMEA}, channel: C0E}]\n",
            "routing[1]: never used, because routing[0] before it has no `when`",
        ),
        ("decay: {monthly_rate: 1.5}\n", "decay.monthly_rate: Input should be less than 1"),
    ],
)
def test_each_kind_of_mistake_is_named_by_rule_and_field(snippet: str, expected: str) -> None:
    assert any(expected in error for error in errors_of(HEADER + snippet))


def test_duplicate_names_across_fit_and_behavior_are_refused() -> None:
    errors = errors_of(
        HEADER
        + dedent("""\
            fit:
              - {name: Demo request, when: {field: title, exists: true}, points: 1}
            behavior:
              - {name: "demo request ", when: {kind: demo_request}, points: 50}
        """)
    )
    assert errors == [
        'behavior rule "demo request " (behavior[0]): name: "demo request " is already used by '
        "fit[0]; rule names must be unique across fit and behavior"
    ]


def test_every_problem_in_every_rule_is_reported_at_once() -> None:
    text = dedent("""\
        name: many mistakes
        thresholds: {hot: 70, warm: 80}
        fit:
          - name: Senior title
            when: {field: title, contains_any: VP}
            points: 20
          - name: Fine
            when: {field: title, exists: true}
            points: 5
          - name: Size
            when: {field: size, between: [1, 2]}
        behavior:
          - name: Pricing page visit
            when: {kind: page_view, url: /pricing}
            points: ten
          - name: Senior title
            when: {kind: demo_request}
            points: 50
        routing:
          - {when: {field: region, in: [EMEA]}, channel: C0EMEA}
    """)
    errors = errors_of(text)
    expected = [
        "thresholds: warm must not be above hot",
        'fit rule "Senior title" (fit[0]): when.contains_any:',
        'fit rule "Size" (fit[2]): when: unknown field',
        'fit rule "Size" (fit[2]): points: field required',
        'behavior rule "Pricing page visit" (behavior[0]): when.url: unknown key',
        'behavior rule "Pricing page visit" (behavior[0]): points: Input should be a valid number',
        'behavior rule "Senior title" (behavior[1]): name: "Senior title" is already used',
        "routing: add a last rule without `when`",
    ]
    for start in expected:
        assert sum(error.startswith(start) for error in errors) == 1, (start, errors)
    assert len(errors) == len(expected)
    assert not any("Fine" in error for error in errors)


def test_the_error_message_lists_every_problem() -> None:
    error = RuleSetError(["a: one", "b: two"])
    assert str(error) == "invalid rule set (2 problems):\n- a: one\n- b: two"
    assert isinstance(error, ValueError)


def test_bundled_rules_round_trip_through_yaml() -> None:
    rule_set = parse_rule_set(bundled_rules_text())
    text = rule_set_to_yaml(rule_set)
    assert parse_rule_set(text) == rule_set
    assert "in: [EMEA]" in text and " in_:" not in text
    assert "intent: false" not in text and "0.0" not in text


def test_content_hash_ignores_comments_whitespace_key_order_and_spelled_out_defaults() -> None:
    plain = HEADER + "fit:\n- {name: A, when: {field: title, in: [VP]}, points: 5}\n"
    edited = dedent("""\
        # our rules
        thresholds:
          warm: 40.0     # moved
          hot: 70
        name: "test"
        score_range: [0, 100]
        fit:
          - points: 5
            name: A
            when: {in: [VP], field: title}
    """)
    assert content_hash(plain) == content_hash(edited)
    assert content_hash(plain) != content_hash(plain.replace("points: 5", "points: 6"))
    assert len(content_hash(plain)) == 64


def test_content_hash_refuses_an_invalid_file() -> None:
    with pytest.raises(RuleSetError):
        content_hash("name: [")


TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
POINTS = st.integers(-50, 50) | st.floats(-50, 50, allow_nan=False).map(lambda x: round(x, 3))
SCALAR = TEXT | st.integers(-1000, 1000) | st.booleans() | st.sampled_from(["NO", "on", "1e3"])
FIT = st.builds(
    lambda name, points, values: FitRule.model_validate(
        {"name": name, "points": points, "when": {"field": "title", "in": values}}
    ),
    TEXT,
    POINTS,
    st.lists(SCALAR, min_size=1, max_size=3),
)
BEHAVIOR = st.builds(
    BehaviorRule,
    name=TEXT,
    points=POINTS,
    when=st.builds(dict, kind=TEXT, url_contains=st.none() | TEXT),
    max_count=st.none() | st.integers(1, 5),
    intent=st.booleans(),
)
ROUTE = st.builds(RoutingRule, channel=TEXT, assignees=st.lists(TEXT, max_size=2))


@given(fit=st.lists(FIT, max_size=3), behavior=st.lists(BEHAVIOR, max_size=3), route=ROUTE)
def test_any_rule_set_round_trips(
    fit: list[FitRule], behavior: list[BehaviorRule], route: RoutingRule
) -> None:
    names = [rule.name for rule in fit] + [rule.name for rule in behavior]
    assume(len({name.strip().casefold() for name in names}) == len(names))
    rule_set = RuleSet.model_validate(
        {"name": "generated", "thresholds": {"hot": 70, "warm": 40}, "routing": [route]}
    ).model_copy(update={"fit": fit, "behavior": behavior})
    text = rule_set_to_yaml(rule_set)
    assert parse_rule_set(text) == rule_set
    assert content_hash(text) == content_hash(text + "\n# a comment\n")


def test_an_alias_bomb_is_refused_at_once() -> None:
    levels = ["a: &a [x,x,x,x,x,x,x,x,x]"] + [
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
        for prev, name in zip("abcde", "bcdef", strict=True)
    ]
    with pytest.raises(RuleSetError) as refused:
        parse_rule_set("\n".join(levels))
    assert "aliases" in refused.value.errors[0]
