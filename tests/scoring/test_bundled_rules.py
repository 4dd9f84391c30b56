"""The example rule set shipped with leadscore sorts obvious leads the obvious way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoring.conditions import condition_matches
from scoring.evaluate import ActivityRecord, LeadProfile, score_lead
from scoring.rule_file import bundled_rules_text, parse_rule_set

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)
RULES = parse_rule_set(bundled_rules_text())


def hours_ago(kind: str, hours: int, url: str | None = None) -> ActivityRecord:
    return ActivityRecord(kind=kind, occurred_at=NOW - timedelta(hours=hours), url=url)


def test_bundled_rules_follow_the_contract_example() -> None:
    assert RULES.name == "default"
    assert (RULES.thresholds.hot, RULES.thresholds.warm, RULES.score_range) == (70, 40, (0, 100))
    assert (RULES.decay.monthly_rate, RULES.decay.grace_days, RULES.sla_minutes) == (0.15, 7, 15)
    assert RULES.routing[-1].when is None and RULES.routing[-1].channel == "C0SDR"


def test_a_vp_at_a_mid_size_saas_company_who_asked_for_a_demo_is_hot() -> None:
    ana = LeadProfile(
        email="ana@acme.io", title="VP Sales", company_size=300, industry="SaaS", region="EMEA"
    )
    activity = [
        hours_ago("page_view", 3, url="https://acme-vendor.com/pricing"),
        hours_ago("demo_request", 1),
    ]
    result = score_lead(RULES, ana, activity, now=NOW)
    assert result.band == "hot"
    assert {h.name for h in result.hits} >= {"Senior title", "Demo request", "Pricing page visit"}


def test_a_student_on_gmail_who_opened_three_emails_is_cold() -> None:
    student = LeadProfile(email="sam.student@gmail.com", title="Student")
    opens = [hours_ago("email_open", h) for h in (30, 20, 10)]
    result = score_lead(RULES, student, opens, now=NOW)
    assert result.band == "cold"
    assert result.score == 0
    assert [(h.name, h.points) for h in result.hits] == [
        ("Personal email domain", -15),
        ("Email opened", 6),
    ]


@pytest.mark.parametrize(
    ("title", "senior"),
    [
        ("CEO", True),
        ("Co-founder & CEO", True),
        ("Chief Revenue Officer", True),
        ("CTO", True),
        ("Head of Growth", True),
        ("SVP Marketing", True),
        ("Instructor", False),  # contains "cto"
        ("Marketing Coordinator", False),  # contains "coo"
        ("Microsoft Dynamics Consultant", False),  # contains "cro"
    ],
)
def test_senior_titles_without_substring_accidents(title: str, senior: bool) -> None:
    lead = LeadProfile(email="x@acme.io", title=title)
    seniority = [r for r in RULES.fit if r.name in ("Senior title", "C-level title")]
    assert any(condition_matches(r.when, lead) for r in seniority) is senior


def test_each_region_is_routed_to_its_channel() -> None:
    def channel(region: str | None) -> str:
        lead = LeadProfile(email="x@acme.io", region=region)
        return next(
            r.channel for r in RULES.routing if r.when is None or condition_matches(r.when, lead)
        )

    assert [channel("emea"), channel("AMER"), channel("APAC"), channel(None)] == [
        "C0EMEA",
        "C0AMER",
        "C0SDR",
        "C0SDR",
    ]
