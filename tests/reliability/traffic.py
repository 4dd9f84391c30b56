"""Deterministic, realistic event traffic: many events per lead, out of order, some turn hot.

Ids are derived from the batch and position, so a resent batch is recognisable
and the set of distinct events is known. Dates fall within the rule set's
decay grace period (``replay.recent``), so scores can be compared exactly.
"""

from __future__ import annotations

import json
import random
from typing import Any

from tests.support.events import recent

TITLES = ("VP Sales", "Head of Ops", "Engineer", "Intern", "Director of IT", None)
KINDS = (
    ("page_view", "https://ex.com/pricing"),
    ("page_view", "https://ex.com/blog"),
    ("email_open", None),
    ("webinar_attended", None),
    ("demo_request", None),
)
KIND_WEIGHTS = (30, 25, 25, 15, 5)


def lead_pool(size: int, *, seed: int, domain: str = "acme.io") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    pool = []
    for n in range(size):
        lead: dict[str, Any] = {"email": f"lead{n}@{domain}"}
        title = rng.choice(TITLES)
        if title:
            lead["title"] = title
        lead["company_size"] = rng.choice((12, 250, 480, 3_000))
        lead["region"] = rng.choice(("EMEA", "AMER"))
        pool.append(lead)
    return pool


def make_batches(
    count: int, size: int, *, pool: list[dict[str, Any]], seed: int, prefix: str
) -> list[list[dict[str, Any]]]:
    """``count`` batches of ``size`` events about leads from ``pool``."""
    rng = random.Random(seed)
    batches = []
    for b in range(count):
        batch = []
        for i in range(size):
            lead = rng.choice(pool)
            event_id = f"{prefix}-{b}-{i}"
            at = recent(minutes_ago=rng.uniform(1, 5_000))
            if rng.random() < 0.1:
                batch.append(
                    {"id": event_id, "type": "lead.updated", "occurred_at": at, "lead": dict(lead)}
                )
                continue
            kind, url = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            activity: dict[str, Any] = {"kind": kind}
            if url:
                activity["url"] = url
            event = {
                "id": event_id,
                "type": "activity",
                "occurred_at": at,
                "lead": {"email": lead["email"]},
                "activity": activity,
            }
            batch.append(event)
        batches.append(batch)
    return batches


def body_of(batch: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": batch}).encode()
