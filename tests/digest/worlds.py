"""Closed deals for calibration tests, all made through the real ingest path.

Each lead gets its profile and activities first, then an opportunity a day
later (which freezes the entry score) and the outcome four days after that.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.ingest.results import Item
from bot.services import Services
from tests.support.events import activity, deal, lead_created

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
"""Monday of ISO week 2026-W49; every deal below closed within 90 days before it."""


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Lead:
    """One made-up lead: what it did before becoming an opportunity, and the outcome."""

    email: str
    won: bool
    profile: dict[str, Any]
    kinds: tuple[tuple[str, str | None], ...] = ()


def lead_events(lead: Lead, day: int) -> list[dict[str, Any]]:
    base = START + timedelta(days=day % 40, minutes=day)
    events = [lead_created(lead.email, at=_at(base), **lead.profile)]
    for offset, (kind, url) in enumerate(lead.kinds):
        moment = base + timedelta(hours=1 + offset)
        events.append(activity(lead.email, kind, at=_at(moment), url=url))
    events.append(deal(lead.email, "opportunity", at=_at(base + timedelta(days=1))))
    outcome = "closed_won" if lead.won else "closed_lost"
    events.append(deal(lead.email, outcome, at=_at(base + timedelta(days=5))))
    return events


def ingest_leads(services: Services, leads: list[Lead]) -> None:
    """Send every lead's story through ``Ingestor.ingest``, in one batch (no alerts)."""
    events = [event for day, lead in enumerate(leads) for event in lead_events(lead, day)]
    items = [Item(position=f"#{i}", data=event, index=i) for i, event in enumerate(events)]
    result = services.ingestor.ingest(items, source="test", alert=False)
    assert not result.rejected, result.rejected


HOT = {"title": "VP Sales", "company_size": 250, "company": "Acme"}


def small_world() -> list[Lead]:
    """40 deals, worked out by hand under tests/fixtures/rules.yml.

    hot (85: VP + ICP size + demo): 10 deals, 8 won; warm (50: demo only):
    10 deals, 4 won; cold (0: a blog visit): 20 deals, 2 won. So 14 of 40 won.
    """
    leads = []
    for i in range(10):
        leads.append(Lead(f"hot{i}@acme.io", i < 8, HOT, (("demo_request", None),)))
    for i in range(10):
        leads.append(Lead(f"warm{i}@beta.io", i < 4, {}, (("demo_request", None),)))
    for i in range(20):
        blog = (("page_view", "https://ex.com/blog"),)
        leads.append(Lead(f"cold{i}@gamma.io", i < 2, {}, blog))
    return leads


def synthetic_world(seed: int = 7, size: int = 400) -> list[Lead]:
    """Pricing visits truly predict winning; demo requests are noise.

    Each lead independently visits pricing (half of them) and requests a demo
    (half of them). Win chance is 60% after a pricing visit, 15% without,
    whatever the demo request.
    """
    rng = random.Random(seed)
    leads = []
    for i in range(size):
        pricing, demo = rng.random() < 0.5, rng.random() < 0.5
        kinds: list[tuple[str, str | None]] = []
        if pricing:
            kinds.append(("page_view", "https://ex.com/pricing"))
        if demo:
            kinds.append(("demo_request", None))
        won = rng.random() < (0.6 if pricing else 0.15)
        leads.append(Lead(f"lead{i}@world{i % 17}.io", won, {}, tuple(kinds)))
    return leads
