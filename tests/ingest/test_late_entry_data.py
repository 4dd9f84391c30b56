"""Late data counts at entry: the order in which files are imported never changes an entry."""

from __future__ import annotations

from typing import Any

from freezegun import freeze_time
from sqlmodel import col, select

from bot.ingest import Item
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import PipelineEntry
from tests.support.events import activity, deal, lead_created


def ingest(services: Services, *events: dict[str, Any]) -> None:
    items = [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]
    services.ingestor.ingest(items, source="test", alert=False)


def entry_of(services: Services, email: str) -> dict[str, Any]:
    with session_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None
        query = select(PipelineEntry).where(col(PipelineEntry.lead_id) == lead.id)
        [entry] = session.exec(query).all()
        return {
            "score": entry.score,
            "fit": entry.fit,
            "behavior": entry.behavior,
            "rule_hits": entry.rule_hits,
            "snapshot": entry.snapshot,
            "outcome": entry.outcome,
            "entered_at": entry.entered_at,
        }


def history(email: str) -> dict[str, list[dict[str, Any]]]:
    """One lead's files: profile, activities (one before the deal, one after) and the deal."""
    return {
        "leads": [lead_created(email, at="2026-11-01T00:00:00Z", title="VP Sales")],
        "activities": [
            activity(email, "demo_request", at="2026-11-05T00:00:00Z"),
            activity(email, "page_view", url="/pricing", at="2026-11-20T00:00:00Z"),
        ],
        "deals": [deal(email, "closed_won", at="2026-11-10T00:00:00Z")],
    }


@freeze_time("2026-11-25T12:00:00Z")
def test_deals_imported_before_their_leads_enter_as_if_imported_after(
    services: Services,
) -> None:
    in_order, backwards = history("first@x.io"), history("late@x.io")
    for name in ("leads", "activities", "deals"):
        ingest(services, *in_order[name])
    for name in ("deals", "activities", "leads"):
        ingest(services, *backwards[name])

    expected, late = entry_of(services, "first@x.io"), entry_of(services, "late@x.io")
    assert expected["score"] == 70  # VP (20) and the demo request (50) before the deal
    assert expected["rule_hits"] == {"Senior title": 20, "Demo request": 50}
    assert late == expected  # the same score, rule points, snapshot, outcome and date
    snapshot = late["snapshot"]
    assert snapshot["lead"] == {"title": "VP Sales"}
    assert snapshot["activity"] == {"demo_request": {"n": 1}}  # the later visit is not in


@freeze_time("2026-11-25T12:00:00Z")
def test_data_dated_after_the_entry_leaves_it_alone(services: Services) -> None:
    email = "after@x.io"
    ingest(services, lead_created(email, at="2026-11-01T00:00:00Z"))
    ingest(services, deal(email, "closed_lost", at="2026-11-10T00:00:00Z"))
    before = entry_of(services, email)
    ingest(services, activity(email, "demo_request", at="2026-11-12T00:00:00Z"))
    assert entry_of(services, email) == before
    with session_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None and lead.score > 40  # today's score does take it (decayed)
