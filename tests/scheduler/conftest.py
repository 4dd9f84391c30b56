"""Helpers for scheduler tests: ingest at a frozen instant, read leads, score from history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.ingest import IngestResult, Item
from bot.ingest.profile import profile_of
from bot.rules_admin import apply_rules
from bot.services import Services
from scoring.evaluate import LeadScore, score_lead
from storage.activities import history
from storage.engine import session_scope
from storage.leads import LeadState, load_leads
from storage.models import Activity, Alert, EventRecord, JobRun, Lead, PipelineEntry
from tests.support.events import activity, lead_created

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
"""A Monday morning; test events happen around it."""

NEGATIVE_RULES = """\
name: with-unsubscribe
thresholds: {hot: 70, warm: 40}
score_range: [0, 100]
decay: {monthly_rate: 0.2, grace_days: 3}
fit:
  - name: Senior title
    when: {field: title, contains_any: [VP, Director]}
    points: 20
  - name: ICP company size
    when: {field: company_size, between: [200, 500]}
    points: 15
behavior:
  - name: Pricing page visit
    when: {kind: page_view, url_contains: /pricing}
    points: 10
    max_count: 3
  - name: Demo request
    when: {kind: demo_request}
    points: 50
  - name: Email opened
    when: {kind: email_open}
    points: 2
    max_count: 3
  - name: Unsubscribed
    when: {kind: unsubscribe}
    points: -30
routing:
  - channel: C0SDR
"""
"""Positive and negative behaviour, a short grace period: decay's harder cases."""


@pytest.fixture
def negative_services(services: Services) -> Iterator[Services]:
    """The services with a rule set that has a negative behaviour rule."""
    apply_rules(services, text=NEGATIVE_RULES, applied_by="tests")
    yield services


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ingest(services: Services, events: Sequence[dict[str, Any]], *, at: datetime) -> IngestResult:
    """What a CRM sends at ``at`` (the app's clock frozen there)."""
    items = [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]
    with freeze_time(at):
        return services.ingestor.ingest(items, source="test")


def leads(services: Services) -> dict[str, LeadState]:
    with session_scope(services.engine) as session:
        return {lead.email: lead for lead in load_leads(session=session, after_id=0, limit=10_000)}


def rescored(services: Services, at: datetime) -> dict[str, LeadScore]:
    """Every lead scored from scratch at ``at`` from its stored history."""
    with session_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        stored = load_leads(session=session, after_id=0, limit=10_000)
        histories = history(session=session, lead_ids=[lead.id for lead in stored])
    return {
        lead.email: score_lead(rule_set, profile_of(lead), histories.get(lead.id, []), now=at)
        for lead in stored
    }


def forget_leads(services: Services) -> None:
    """Empty the lead tables, so each hypothesis example starts from nothing."""
    with session_scope(services.engine) as session:
        for model in (Alert, PipelineEntry, Activity, EventRecord, Lead, JobRun):
            session.execute(delete(model))


TOLERANCE = 1e-9
"""How far a set-based result may differ from a replay (float sums in another order)."""
DAY_US = 86_400 * 1_000_000
ACTIONS = st.sampled_from(
    [
        ("page_view", "/pricing"),
        ("page_view", "/blog"),
        ("demo_request", None),
        ("email_open", None),
        ("unsubscribe", None),
    ]
)
ACTIVITY = st.tuples(ACTIONS, st.integers(min_value=0, max_value=200 * DAY_US))
"""What the lead did, and how long before the CRM sent it (to the microsecond)."""


def populations(*, max_activities: int) -> st.SearchStrategy[list[Any]]:
    """Up to six leads: (senior title?, ICP size?, what each did and when)."""
    lead = st.tuples(st.booleans(), st.booleans(), st.lists(ACTIVITY, max_size=max_activities))
    return st.lists(lead, min_size=1, max_size=6)


def population_events(population: list[Any]) -> list[dict[str, Any]]:
    events = []
    for number, (senior, icp, actions) in enumerate(population):
        email = f"lead{number}@example.com"
        who = {"title": "VP Sales" if senior else "Analyst", "company_size": 250 if icp else 20}
        events.append(lead_created(email, at=iso(T0 - timedelta(days=300)), **who))
        for (kind, url), before in actions:
            at = iso(T0 - timedelta(microseconds=before))
            events.append(activity(email, kind, at=at, url=url))
    return events


def populate(services: Services, population: list[Any]) -> None:
    """Only these leads, ingested at ``T0``."""
    forget_leads(services)
    ingest(services, population_events(population), at=T0)
