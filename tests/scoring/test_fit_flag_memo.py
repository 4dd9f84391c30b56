"""Fit flags remembered by field value are the flags every rule evaluated afresh gives.

The ingest path decides each fit rule once per distinct value of its field
(``scoring.evaluate.FitFlagMemo``); for any rule set and any sequence of
leads, including values that compare equal across types (``1``, ``1.0``,
``True``, ``"1"``) and floats such as ``-0.0``, the text must be exactly
``fit_flags``'.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.evaluate import FitFlagMemo, LeadProfile, fit_flags
from scoring.rule_set import RuleSet

SCALARS = st.one_of(
    st.sampled_from(["SaaS", " saas ", "1", "1.0", "-0.0", "0.0", "true", "", " ", "yes"]),
    st.integers(-2, 2),
    st.sampled_from([0.0, -0.0, 1.0, 2.5]),
    st.booleans(),
    st.none(),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=2))
FIELDS = st.sampled_from(["attributes.x", "attributes.y", "industry", "company_size"])


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(FIELDS)
    operator = draw(st.sampled_from(["equals", "in", "between", "exists", "contains_any"]))
    if operator == "equals":
        return {"field": field, "equals": draw(SCALARS.filter(lambda v: v is not None))}
    if operator == "in":
        return {"field": field, "in": draw(st.lists(SCALARS, min_size=1, max_size=3))}
    if operator == "between":
        low = draw(st.integers(-2, 2))
        return {"field": field, "between": [low, low + draw(st.integers(0, 2))]}
    if operator == "exists":
        return {"field": field, "exists": draw(st.booleans())}
    return {
        "field": field,
        "contains_any": draw(st.lists(st.sampled_from(["a", "1", "0"]), min_size=1)),
    }


def rule_set(whens: list[dict[str, Any]]) -> RuleSet:
    return RuleSet.model_validate(
        {
            "name": "memo",
            "thresholds": {"hot": 50, "warm": 25},
            "fit": [{"name": f"r{i}", "when": when, "points": 5} for i, when in enumerate(whens)],
        }
    )


def lead(values: dict[str, Any]) -> LeadProfile:
    industry = values["industry"]
    size = values["company_size"]
    return LeadProfile(
        email="ana@acme.io",
        industry=industry if isinstance(industry, str) or industry is None else str(industry),
        company_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        attributes={"x": values["x"], "y": values["y"]},
    )


@settings(max_examples=300)
@given(
    whens=st.lists(conditions(), min_size=1, max_size=4),
    leads=st.lists(
        st.fixed_dictionaries(
            {"x": VALUES, "y": VALUES, "industry": SCALARS, "company_size": SCALARS}
        ),
        min_size=1,
        max_size=12,
    ),
    max_values=st.sampled_from([1, 4_096]),
)
def test_remembered_flags_are_the_evaluated_flags(
    whens: list[dict[str, Any]], leads: list[dict[str, Any]], max_values: int
) -> None:
    rules = rule_set(whens)
    memo = FitFlagMemo(rules, max_values=max_values)
    for values in leads + leads:  # every value seen again
        profile = lead(values)
        assert memo.flags(profile) == fit_flags(rules, profile)
