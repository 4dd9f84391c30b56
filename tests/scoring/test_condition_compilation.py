"""Compiled conditions decide exactly as the rule reads, for any value a CRM may send.

Scoring runs each condition as a closure with its constants normalised once
(``scoring.conditions.compile_field_condition``), with set lookups for text.
The reference is the generic comparison of one value with one option (text
ignores case and surrounding spaces, numbers compare as numbers, a number or
boolean typed as text still matches); the two must agree on every value, or
a rule would score a lead differently from what its manager wrote.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scoring.conditions import _present as present
from scoring.conditions import _same as reference_same
from scoring.conditions import condition_matches
from scoring.evaluate import LeadProfile
from scoring.rule_set import FieldCondition

WORDS = st.sampled_from(["SaaS", " saas ", "SAAS", "Retail", "1", "1.0", "true", "True ", "", " "])
SCALARS = st.one_of(
    WORDS,
    st.text(max_size=6),
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False).map(lambda f: round(f, 1)),
    st.booleans(),
)
LEAD_VALUES = st.one_of(SCALARS, st.none(), st.lists(SCALARS, max_size=2))


def spellings(wanted: Any) -> st.SearchStrategy[Any]:
    """Values a CRM may send for ``wanted``: itself, as text, shouted, padded, or unrelated."""
    text = str(wanted)
    return st.sampled_from([wanted, text, f" {text.upper()} ", text.lower(), None]) | LEAD_VALUES


def lead_with(value: Any) -> LeadProfile:
    return LeadProfile(email="ana@acme.io", attributes={"x": value})


@given(data=st.data(), wanted=SCALARS)
def test_equals_decides_as_the_plain_comparison(data: st.DataObject, wanted: Any) -> None:
    value = data.draw(spellings(wanted))
    condition = FieldCondition.model_validate({"field": "attributes.x", "equals": wanted})
    expected = present(value) and reference_same(value, wanted)
    assert condition_matches(condition, lead_with(value)) is expected


@given(data=st.data(), options=st.lists(SCALARS, min_size=1, max_size=4))
def test_in_decides_as_the_plain_comparison(data: st.DataObject, options: list[Any]) -> None:
    value = data.draw(spellings(data.draw(st.sampled_from(options))))
    condition = FieldCondition.model_validate({"field": "attributes.x", "in": options})
    expected = present(value) and any(reference_same(value, option) for option in options)
    assert condition_matches(condition, lead_with(value)) is expected
