"""The ingest path on SQLite and PostgreSQL: what a CRM sends is what the scores reflect."""

from __future__ import annotations

from typing import Any

from freezegun import freeze_time
from sqlmodel import select

from bot.ingest import IngestResult, Item
from bot.rules_admin import apply_rules
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Alert, Lead, PipelineEntry
from tests.conftest import FIXTURES
from tests.support.events import activity, deal, hot_lead, lead_created


def ingest(services: Services, *events: dict[str, Any], alert: bool = True) -> IngestResult:
    items = [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]
    return services.ingestor.ingest(items, source="test", alert=alert)


def lead(services: Services, email: str) -> Lead:
    with session_scope(services.engine) as session:
        found = lead_by_email(session=session, email=email)
        assert found is not None
        return found


def entries(services: Services) -> list[PipelineEntry]:
    with session_scope(services.engine) as session:
        return list(session.exec(select(PipelineEntry).order_by(PipelineEntry.id)))  # type: ignore[arg-type]


@freeze_time("2026-11-25T12:00:00Z")
def test_an_activity_for_an_unknown_email_creates_the_lead(services: Services) -> None:
    result = ingest(services, activity("  New@Lead.IO ", "demo_request"))
    assert result.accepted == 1
    assert lead(services, "new@lead.io").score == 50


@freeze_time("2026-11-25T12:00:00Z")
def test_an_older_update_never_overwrites_a_newer_field(services: Services) -> None:
    ingest(services, lead_created("ana@acme.io", at="2026-11-20T00:00:00Z", title="VP Sales"))
    ingest(
        services,
        lead_created("ana@acme.io", at="2026-11-10T00:00:00Z", title="Intern", company="Acme"),
    )
    stored = lead(services, "ana@acme.io")
    assert stored.title == "VP Sales"  # the late event was older
    assert stored.company == "Acme"  # but the field it alone knew is taken
    assert stored.fit == 20


@freeze_time("2026-11-25T12:00:00Z")
def test_late_events_score_as_if_they_had_arrived_in_order(services: Services) -> None:
    in_order = [
        activity("a@x.io", "demo_request", at="2026-08-01T00:00:00Z"),
        activity("a@x.io", "page_view", url="/pricing", at="2026-11-20T00:00:00Z"),
    ]
    shuffled = [
        activity("b@x.io", "page_view", url="/pricing", at="2026-11-20T00:00:00Z"),
        activity("b@x.io", "demo_request", at="2026-08-01T00:00:00Z"),
    ]
    for event in in_order:
        ingest(services, event)
    for event in shuffled:
        ingest(services, event)
    a, b = lead(services, "a@x.io"), lead(services, "b@x.io")
    assert a.score == b.score
    assert 10 < a.score < 60  # the demo request decayed over the idle months
    assert b.last_activity_at is not None
    assert b.last_activity_at.isoformat().startswith("2026-11-20")


@freeze_time("2026-11-25T12:00:00Z")
def test_the_entry_score_is_frozen_when_the_deal_opens(services: Services) -> None:
    ingest(services, hot_lead("ana@acme.io", at="2026-11-01T00:00:00Z"))
    ingest(services, deal("ana@acme.io", "opportunity", at="2026-11-02T00:00:00Z"))
    ingest(services, activity("ana@acme.io", "page_view", url="/pricing"))
    ingest(services, deal("ana@acme.io", "closed_won", at="2026-11-24T00:00:00Z", amount=9000))
    [entry] = entries(services)
    assert entry.score == 85  # not 95: the pricing visit came after the deal opened
    assert entry.rule_hits == {"Senior title": 20, "ICP company size": 15, "Demo request": 50}
    assert (entry.outcome, entry.amount) == ("won", 9000)


@freeze_time("2026-11-25T12:00:00Z")
def test_a_late_opportunity_moves_the_entry_back_to_when_it_happened(services: Services) -> None:
    ingest(services, activity("bo@beta.io", "page_view", url="/pricing", at="2026-11-15T00:00:00Z"))
    ingest(services, activity("bo@beta.io", "demo_request", at="2026-11-18T00:00:00Z"))
    ingest(services, deal("bo@beta.io", "closed_lost", at="2026-11-20T00:00:00Z"))
    assert entries(services)[0].score == 60
    ingest(services, deal("bo@beta.io", "opportunity", at="2026-11-16T00:00:00Z"))
    [entry] = entries(services)
    assert entry.score == 10  # only the pricing visit was known when the deal opened
    assert entry.outcome == "lost"


@freeze_time("2026-11-25T12:00:00Z")
def test_a_new_opportunity_after_a_closed_deal_opens_a_new_entry(services: Services) -> None:
    ingest(services, deal("cy@gamma.io", "closed_lost", at="2026-10-01T00:00:00Z"))
    ingest(services, deal("cy@gamma.io", "opportunity", at="2026-11-01T00:00:00Z"))
    ingest(services, deal("cy@gamma.io", "closed_lost", at="2026-09-01T00:00:00Z"))  # stale
    first, second = entries(services)
    assert (first.outcome, second.outcome) == ("lost", None)


@freeze_time("2026-11-25T12:00:00Z")
def test_turning_hot_queues_one_alert_in_the_same_transaction(services: Services) -> None:
    result = ingest(services, hot_lead("ana@acme.io", region="EMEA"))
    ingest(services, activity("ana@acme.io", "page_view", url="/pricing"))
    with session_scope(services.engine) as session:
        alerts = list(session.exec(select(Alert)))
    assert [a.id for a in alerts] == result.alert_ids
    assert (alerts[0].channel, alerts[0].assignee, alerts[0].status) == ("C0EMEA", "U01", "pending")


@freeze_time("2026-11-25T12:00:00Z")
def test_a_backfill_scores_without_alerting(services: Services) -> None:
    result = ingest(services, hot_lead("ana@acme.io"), alert=False)
    assert result.alert_ids == []
    assert lead(services, "ana@acme.io").band == "hot"
    assert lead(services, "ana@acme.io").alert_armed is False


@freeze_time("2026-11-25T12:00:00Z")
def test_applying_new_rules_rescores_every_lead_without_alerting(services: Services) -> None:
    # three companies: three people of one company on the pricing page is an account alert
    ingest(services, *[activity(f"l{i}@x{i}.io", "page_view", url="/pricing") for i in range(3)])
    ingest(services, *[activity(f"m{i}@x.io", "demo_request") for i in range(1_200)])
    text = (FIXTURES / "rules.yml").read_text().replace("points: 50", "points: 75")
    outcome = apply_rules(services, text=text, applied_by="tests")
    assert outcome.created and outcome.rescored == 1_203
    assert lead(services, "m1199@x.io").score == 75
    assert lead(services, "l0@x0.io").score == 10
    with session_scope(services.engine) as session:
        assert list(session.exec(select(Alert))) == []
    again = apply_rules(services, text=text, applied_by="tests")
    assert (again.created, again.activated, again.rescored) == (False, False, 0)
