"""Slack retries and CRM resends: every event counted once, every hot lead alerted once.

Slack redelivers an event it thinks we missed (``X-Slack-Retry-Num`` 1 to 3),
and a CRM whose request timed out sends the same batch again. Here all copies
arrive at once from several threads, interleaved with other traffic, against
the real HTTP app with its outbox worker posting to the Slack emulator.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.conftest import INGEST_SECRET
from tests.reliability.figures import record
from tests.reliability.outbox_checks import (
    alerted_leads,
    delivered_alerts,
    duplicates_and_losses,
    event_count,
    wait_for_outbox,
)
from tests.reliability.replay import replay_scores, score_differences, scores_of
from tests.security.slack_side import JSON, metadata_event, send
from tests.support.events import activity, hot_lead, recent
from tests.support.ingest_client import signed
from tests.support.servers import running

pytestmark = pytest.mark.slow
THREADS = 8
RETRY_REASONS = ("http_timeout", "http_error", "connection_failed")


@dataclass
class Live:
    http: httpx.Client
    url: str
    services: Services
    emulator: SlackEmulator


@pytest.fixture
def live(services: Services, emulator: SlackEmulator) -> Iterator[Live]:
    """The app as ``serve`` runs it, outbox worker included, on SQLite and PostgreSQL."""
    server = create_server(services)
    limits = httpx.Limits(max_connections=THREADS)
    with running(server.http) as url, httpx.Client(timeout=30, limits=limits) as http:
        yield Live(http, url, services, emulator)


def _traffic(hot: int, other: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Hot leads, plus page views for the same and for other (cold) leads."""
    rng = random.Random(seed)
    hot_events = [
        hot_lead(f"hot{seed}-{i}@acme.io", event_id=f"hot-{seed}-{i}", at=recent(60))
        for i in range(hot)
    ]
    others = [
        activity(
            f"hot{seed}-{rng.randrange(hot)}@acme.io" if i % 2 else f"cold{seed}-{i}@beta.io",
            "page_view",
            url="https://ex.com/pricing",
            event_id=f"view-{seed}-{i}",
            at=recent(minutes_ago=rng.randint(1, 3_000)),
        )
        for i in range(other)
    ]
    return hot_events, others


def test_slack_retries_of_metadata_events_count_once_and_alert_once(live: Live) -> None:
    hot_events, others = _traffic(hot=30, other=60, seed=1)
    deliveries: list[tuple[str, dict[str, str]]] = []
    for n, event in enumerate(hot_events):
        body = metadata_event(event, event_id=f"EvHot{n}", message_ts=f"1764000000.{n:06d}")
        deliveries.append((body, {}))
        for attempt in (1, 2, 3):
            retry = {
                "X-Slack-Retry-Num": str(attempt),
                "X-Slack-Retry-Reason": RETRY_REASONS[attempt - 1],
            }
            deliveries.append((body, retry))
    for n, event in enumerate(others):
        body = metadata_event(event, event_id=f"EvView{n}", message_ts=f"1764000001.{n:06d}")
        deliveries.append((body, {}))
    random.Random(7).shuffle(deliveries)

    def deliver(delivery: tuple[str, dict[str, str]]) -> int:
        body, retry = delivery
        return send(live.http, live.url, body, content_type=JSON, extra=retry).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(deliver, deliveries))
    assert set(statuses) == {200}

    engine = live.services.engine
    assert event_count(engine) == len(hot_events) + len(others)
    assert score_differences(scores_of(engine), replay_scores(hot_events + others)) == []
    alerts = alerted_leads(engine)
    assert len(alerts) == len(hot_events) and set(alerts.values()) == {1}
    wait_for_outbox(engine, live.emulator)
    extra, lost = duplicates_and_losses(engine, live.emulator)
    assert (extra, lost) == (0, 0)
    delivered = delivered_alerts(live.emulator)
    assert len([key for key in delivered if key.startswith("lead-")]) == len(hot_events)
    assert len(delivered) == len(hot_events) + 2, "and one account alert each for acme, beta"
    record(
        f"Slack retries ({engine.dialect.name})",
        deliveries=len(deliveries),
        slack_retries=3 * len(hot_events),
        distinct_events=len(hot_events) + len(others),
        events_stored=event_count(engine),
        hot_leads=len(hot_events),
        alerts_posted=sum(delivered_alerts(live.emulator).values()),
        duplicated=extra,
        lost=lost,
    )


def test_a_crm_resending_batches_concurrently_is_counted_once(live: Live) -> None:
    batches = []
    for seed in range(10):
        hot_events, others = _traffic(hot=5, other=45, seed=100 + seed)
        batch = hot_events + others
        random.Random(seed).shuffle(batch)
        batches.append(json.dumps({"events": batch}).encode())
    posts = [raw for raw in batches for _ in range(4)]
    random.Random(3).shuffle(posts)

    def post(raw: bytes) -> dict[str, Any]:
        response = live.http.post(
            f"{live.url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET)
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(post, posts))
    assert sum(r["accepted"] for r in results) == 500
    assert sum(r["duplicates"] for r in results) == 1_500
    assert not any(r["rejected"] for r in results)

    engine = live.services.engine
    assert event_count(engine) == 500
    sent = [event for raw in batches for event in json.loads(raw)["events"]]
    assert score_differences(scores_of(engine), replay_scores(sent)) == []
    alerts = alerted_leads(engine)
    assert len(alerts) == 50 and set(alerts.values()) == {1}
    wait_for_outbox(engine, live.emulator)
    extra, lost = duplicates_and_losses(engine, live.emulator)
    assert (extra, lost) == (0, 0)
    record(
        f"CRM resends ({engine.dialect.name})",
        batches_posted=len(posts),
        distinct_events=500,
        events_stored=event_count(engine),
        duplicates_answered=sum(r["duplicates"] for r in results),
        hot_leads=50,
        alerts_posted=sum(delivered_alerts(live.emulator).values()),
        duplicated=extra,
        lost=lost,
    )
