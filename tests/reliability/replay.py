"""The reference answer: the same events ingested once, in one process, into a fresh database.

Crashes, retries, replicas and concurrency must not change a single score, so
each scenario compares its leads with this replay. Events are dated within
the rule set's decay grace period (``recent``), so scores do not depend on
the instant they were computed and the comparison can be exact.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.ingest import Item
from bot.slack_emulator import SlackEmulator
from storage.models import Lead
from tests.conftest import make_services, make_settings
from tests.support.databases import sqlite_url

LeadScores = dict[str, tuple[float, float, float, str, datetime | None]]


def scores_of(engine: Engine) -> LeadScores:
    """email -> (score, fit, behaviour, band, last activity) for every lead."""
    query = select(
        Lead.email, Lead.score, Lead.fit, Lead.behavior, Lead.band, Lead.last_activity_at
    )
    with engine.connect() as connection:
        return {
            str(email): (float(score), float(fit), float(behavior), str(band), last)
            for email, score, fit, behavior, band, last in connection.execute(query)
        }


def distinct(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """First copy of each event id, as the ingest path keeps them."""
    seen: dict[str, dict[str, Any]] = {}
    for event in events:
        seen.setdefault(str(event["id"]), event)
    return list(seen.values())


def replay_scores(events: Iterable[dict[str, Any]]) -> LeadScores:
    """Ingest the distinct events once into a fresh SQLite database; its lead scores."""
    unique = distinct(events)
    with tempfile.TemporaryDirectory() as folder, SlackEmulator() as emulator:
        services = make_services(make_settings(sqlite_url(Path(folder)), emulator), emulator)
        items = [Item(position=f"replay {i}", data=e, index=i) for i, e in enumerate(unique)]
        result = services.ingestor.ingest(items, source="replay")
        assert not result.rejected, result.rejected[:3]
        assert result.accepted == len(unique)
        scores = scores_of(services.engine)
        services.engine.dispose()
    return scores


def score_differences(actual: LeadScores, expected: LeadScores) -> list[str]:
    """Readable differences, empty when every lead matches the replay exactly."""
    problems = [f"{email}: missing" for email in expected if email not in actual]
    problems += [f"{email}: not in the replay" for email in actual if email not in expected]
    problems += [
        f"{email}: {actual[email]} != replay {want}"
        for email, want in expected.items()
        if email in actual and actual[email] != want
    ]
    return problems
