"""A deal's entry and the lead's rescore share one look at the fit rules; nothing stored changes.

A bank-style export gives every row a new lead and its outcome, so the
entry of a lead with no activity before its deal is scored from the fit
flags the lead's own rescore uses. Every stored entry (score, fit,
behaviour, rule points, snapshot) and every lead's fit must still be what
scoring the lead from its profile and history gives, on both databases.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from freezegun import freeze_time
from sqlmodel import select

from bot.importer import import_csv, load_mapping
from bot.ingest import Item
from bot.ingest.profile import profile_of
from bot.rules_admin import apply_rules
from bot.services import Services
from scoring.calibration import entry_snapshot
from scoring.evaluate import ActivityRecord, fit_flags, fit_points, score_lead
from storage.activities import history
from storage.engine import session_scope
from storage.models import Lead, PipelineEntry
from tests.support.events import activity, deal, lead_created

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = (
    "age", "job", "marital", "education", "default", "balance", "housing", "loan", "contact",
    "day", "month", "duration", "campaign", "pdays", "previous", "poutcome", "y",
)  # fmt: skip


def write_bank_like(path: Path, rows: int) -> None:
    """bank-full.csv's shape, with every value the example rules look at turning up."""
    rng = random.Random(21)
    months = ("jan", "feb", "mar", "may", "jun", "aug", "nov")
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(HEADER)
        for row in range(rows):
            writer.writerow((
                rng.randint(18, 95), rng.choice(("student", "retired", "admin.", "unknown")),
                "married", rng.choice(("secondary", "tertiary", "unknown")),
                rng.choice(("no", "yes")), rng.choice((-300, 0, 999, 1_000, 25_000)) + row,
                rng.choice(("no", "yes")), rng.choice(("no", "yes")),
                rng.choice(("cellular", "telephone", "unknown")), rng.randint(1, 28),
                rng.choice(months), rng.randint(0, 900), rng.randint(1, 9),
                rng.choice((-1, 90)), rng.randint(0, 3),
                rng.choice(("unknown", "failure", "success")),
                "yes" if rng.random() < 0.2 else "no",
            ))  # fmt: skip


def assert_stored_as_scored(services: Services) -> int:
    """Each entry and lead equals scoring from the stored profile and history; the entry count."""
    with session_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        leads = {lead.id: lead for lead in session.exec(select(Lead)).all()}
        histories = history(session=session, lead_ids=leads)
        entries = session.exec(select(PipelineEntry)).all()
        for lead in leads.values():
            profile = profile_of(lead)
            assert lead.fit_hits == fit_flags(rule_set, profile), lead.email
            assert lead.fit == fit_points(rule_set, profile), lead.email
        for entry in entries:
            lead = leads[entry.lead_id]
            past = [a for a in histories.get(lead.id, ()) if a.occurred_at <= entry.entered_at]
            expected = scored_entry(rule_set, lead, past, entry)
            stored = {
                "score": entry.score,
                "fit": entry.fit,
                "behavior": entry.behavior,
                "rule_hits": entry.rule_hits,
                "snapshot": entry.snapshot,
            }
            assert stored == expected, lead.email
        return len(entries)


def scored_entry(
    rule_set: Any, lead: Lead, past: list[ActivityRecord], entry: PipelineEntry
) -> dict[str, Any]:
    """What ``bot.ingest.deals.refreeze`` stores when it replays the history."""
    profile = profile_of(lead)
    result = score_lead(rule_set, profile, past, now=entry.entered_at)
    return {
        "score": result.score,
        "fit": result.fit,
        "behavior": result.behavior,
        "rule_hits": {hit.name: round(hit.points, 6) for hit in result.hits},
        "snapshot": entry_snapshot(profile, past),
    }


def test_bank_style_entries_equal_the_replayed_scores(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "bank-like.csv"
    write_bank_like(path, 300)
    rules = (EXAMPLES / "rules" / "uci-bank-marketing.yml").read_text()
    apply_rules(services, text=rules, applied_by="tests")

    summary = import_csv(
        path,
        ingestor=services.ingestor,
        mapping=load_mapping(EXAMPLES / "mappings" / "uci-bank-marketing.yml"),
        chunk_rows=64,
    )

    assert (summary.rows, summary.rejected_rows) == (300, 0)
    assert assert_stored_as_scored(services) == 300
    with session_scope(services.engine) as session:
        scores = {entry.score for entry in session.exec(select(PipelineEntry)).all()}
    assert len(scores) > 5  # the rules really told the clients apart


@freeze_time("2026-11-25T12:00:00Z")
def test_entries_with_and_without_earlier_activity_in_one_batch(services: Services) -> None:
    events: list[dict[str, Any]] = []
    for n in range(6):
        email = f"lead{n}@x{n}.io"
        title = "VP Sales" if n % 2 else "Analyst"
        events.append(lead_created(email, at="2026-11-01T00:00:00Z", title=title))
        if n % 3 == 0:  # a demo request before the deal: the entry replays it
            events.append(activity(email, "demo_request", at="2026-11-05T00:00:00Z"))
        if n % 3 == 1:  # only after the deal: the entry is the fit alone
            events.append(activity(email, "page_view", url="/pricing", at="2026-11-20T00:00:00Z"))
        events.append(
            deal(email, "closed_won" if n < 3 else "closed_lost", at="2026-11-10T00:00:00Z")
        )
    items = [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]

    services.ingestor.ingest(items, source="test", alert=False)
    services.ingestor.ingest(
        [Item("events[0]", lead_created("lead1@x1.io", at="2026-11-02T00:00:00Z", title="CTO"))],
        source="test",
        alert=False,
    )  # a profile change dated before the deal: the entry takes it, and the lead's fit too

    assert assert_stored_as_scored(services) == 6
    with session_scope(services.engine) as session:
        lead = session.exec(select(Lead).where(Lead.email == "lead1@x1.io")).one()
        assert lead.title == "CTO" and lead.fit == 0
