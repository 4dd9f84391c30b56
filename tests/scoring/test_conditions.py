"""Each condition operator, as a sales manager would expect it to behave."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scoring.conditions import activity_matches, condition_matches
from scoring.evaluate import ActivityRecord, LeadProfile
from scoring.rule_set import ActivityCondition, FieldCondition

ANA = LeadProfile(
    email="ana@eu.acme.io",
    title="VP Sales",
    company="Acme",
    company_size=250,
    industry="SaaS ",
    region="EMEA",
    attributes={"plan": "Enterprise", "seats": 40, "partner": True},
)


def matches(lead: LeadProfile = ANA, /, **condition: Any) -> bool:
    return condition_matches(FieldCondition.model_validate(condition), lead)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("industry", "saas", True),  # case and surrounding spaces ignored
        ("industry", "SaaS Platform", False),  # equals is not a substring test
        ("company_size", 250, True),
        ("company_size", 250.0, True),  # numbers compare as numbers
        ("company_size", "250", True),  # a number typed as text in YAML
        ("company_size", 251, False),
        ("attributes.partner", True, True),
        ("attributes.plan", "enterprise", True),
    ],
)
def test_equals(field: str, value: Any, expected: bool) -> None:
    assert matches(field=field, equals=value) is expected


def test_in_matches_any_item_ignoring_case() -> None:
    assert matches(field="region", **{"in": ["amer", "emea"]})
    assert not matches(field="region", **{"in": ["AMER", "APAC"]})
    assert matches(field="attributes.seats", **{"in": [10, 40]})


def test_contains_any_is_a_case_insensitive_substring_test() -> None:
    assert matches(field="title", contains_any=["director", "vp"])
    assert not matches(field="title", contains_any=["Chief", "Head of"])


@pytest.mark.parametrize(
    ("size", "expected"),
    [(200, True), (250, True), (500, True), (199, False), (501, False), (None, False)],
)
def test_between_includes_both_bounds(size: int | None, expected: bool) -> None:
    lead = LeadProfile(email="a@b.io", company_size=size)
    assert matches(lead, field="company_size", between=[200, 500]) is expected


@pytest.mark.parametrize("value", ["lots", "", True])
def test_between_never_matches_a_non_number(value: Any) -> None:
    lead = LeadProfile(email="a@b.io", attributes={"seats": value})
    assert not matches(lead, field="attributes.seats", between=[0, 1_000])


def test_between_reads_numbers_typed_as_text() -> None:
    lead = LeadProfile(email="a@b.io", attributes={"seats": " 40 "})
    assert matches(lead, field="attributes.seats", between=[10, 50])


@pytest.mark.parametrize(
    ("field", "exists", "expected"),
    [
        ("title", True, True),
        ("title", False, False),
        ("country", True, False),  # None
        ("country", False, True),
        ("attributes.missing", False, True),
        ("attributes.plan", True, True),
    ],
)
def test_exists(field: str, exists: bool, expected: bool) -> None:
    assert matches(field=field, exists=exists) is expected


def test_blank_text_does_not_count_as_existing() -> None:
    lead = LeadProfile(email="a@b.io", title="   ")
    assert matches(lead, field="title", exists=False)
    assert not matches(lead, field="title", contains_any=["VP"])


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ana@acme.io", True),
        ("ana@eu.acme.io", True),  # subdomain of a listed domain
        ("ana@ACME.IO", True),
        ("ana@notacme.io", False),  # a suffix is not a subdomain
        ("ana@acme.io.evil.com", False),
    ],
)
def test_email_domain_in(email: str, expected: bool) -> None:
    lead = LeadProfile(email=email)
    assert matches(lead, field="email", email_domain_in=["acme.io", "@other.com"]) is expected


def test_missing_attribute_matches_nothing_but_exists_false() -> None:
    for condition in ({"equals": "x"}, {"in": ["x"]}, {"contains_any": ["x"]}):
        assert not matches(field="attributes.nope", **condition)


def visit(kind: str = "page_view", url: str | None = None, **properties: Any) -> ActivityRecord:
    return ActivityRecord(
        kind=kind, occurred_at=datetime(2026, 1, 5, tzinfo=UTC), url=url, properties=properties
    )


def test_activity_kind_ignores_case() -> None:
    assert activity_matches(ActivityCondition(kind="demo_request"), visit("Demo_Request"))
    assert not activity_matches(ActivityCondition(kind="demo_request"), visit("page_view"))


def test_activity_url_contains() -> None:
    pricing = ActivityCondition(kind="page_view", url_contains="/pricing")
    assert activity_matches(pricing, visit(url="https://ex.com/Pricing?plan=team"))
    assert not activity_matches(pricing, visit(url="https://ex.com/blog"))
    assert not activity_matches(pricing, visit(url=None))


def test_activity_properties_must_all_be_equal() -> None:
    webinar = ActivityCondition(kind="page_view", properties={"source": "ads", "step": 2})
    assert activity_matches(webinar, visit(source="ADS", step=2))
    assert not activity_matches(webinar, visit(source="ads", step=3))
    assert not activity_matches(webinar, visit(source="ads"))
