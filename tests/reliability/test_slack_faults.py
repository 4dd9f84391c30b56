"""Slack rate-limits, then fails, while 200 leads turn hot: every alert lands once, politely.

The emulator answers ``chat.postMessage`` with 429 (``Retry-After: 1``) for a
stretch, then every method with 500 for another, while four batches of hot
leads arrive over ``/ingest``. When Slack recovers, the outbox must have
delivered every alert exactly once, and never retried an alert before the
``Retry-After`` Slack gave it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import RecordedCall, SlackEmulator
from tests.conftest import INGEST_SECRET
from tests.reliability.figures import record
from tests.reliability.outbox_checks import (
    alert_key_of,
    alert_keys,
    delivered_alerts,
    duplicates_and_losses,
    wait_for_outbox,
)
from tests.support.events import hot_lead, recent
from tests.support.ingest_client import post_events
from tests.support.servers import running

pytestmark = pytest.mark.slow

LEADS = 200
RATE_LIMITED_FOR = 2.0
FAILING_UNTIL = 3.5
RETRY_AFTER = 1
CLOCK_SLACK = 0.05
"""The app schedules by wall clock, the emulator stamps by monotonic clock: allow 50 ms."""


@pytest.fixture
def live(sqlite_services: Services) -> Iterator[tuple[httpx.Client, str]]:
    server = create_server(sqlite_services)
    with running(server.http) as url, httpx.Client(timeout=30) as client:
        yield client, url


def _early_retries(calls: list[RecordedCall]) -> list[str]:
    """Posts of an alert made sooner than the Retry-After of its previous 429."""
    by_alert: dict[str, list[RecordedCall]] = defaultdict(list)
    for call in calls:
        key = alert_key_of(call)
        if key is not None:
            by_alert[key].append(call)
    early = []
    for key, attempts in by_alert.items():
        for before, after in pairwise(attempts):
            if before.answered_status == 429:
                waited = after.at - before.at
                if waited < RETRY_AFTER - CLOCK_SLACK:
                    early.append(f"{key}: retried {waited:.3f}s after a 429")
    return early


def test_alerts_survive_rate_limits_and_outages_exactly_once(
    live: tuple[httpx.Client, str], sqlite_services: Services, emulator: SlackEmulator
) -> None:
    client, url = live
    outage_started = time.monotonic()
    emulator.fail_for(
        "chat.postMessage", seconds=RATE_LIMITED_FOR, status=429, retry_after=RETRY_AFTER
    )
    emulator.fail_for("*", seconds=FAILING_UNTIL, status=500)
    for wave in range(4):
        events = [
            hot_lead(f"hot{wave}-{n}@acme.io", event_id=f"fault-{wave}-{n}", at=recent(5))
            for n in range(LEADS // 4)
        ]
        response = post_events(client, url, events, INGEST_SECRET)
        assert response.json()["accepted"] == LEADS // 4
        time.sleep(0.6)  # the leads turn hot in waves during the outage

    engine = sqlite_services.engine
    assert len(alert_keys(engine)) == LEADS
    wait_for_outbox(engine, emulator, timeout=120)
    recovered_after = time.monotonic() - outage_started
    assert set(alert_keys(engine).values()) == {"sent"}
    extra, lost = duplicates_and_losses(engine, emulator)
    assert (extra, lost) == (0, 0)
    posts = emulator.calls_to("chat.postMessage")
    assert _early_retries(posts) == []
    rate_limited = sum(1 for call in posts if call.answered_status == 429)
    failed = sum(1 for call in emulator.calls if call.answered_status >= 500)
    assert rate_limited > 0 and failed > 0, "the outage did not hit the outbox"
    record(
        "Slack faults: 429 then 500 while leads turn hot",
        hot_leads=LEADS,
        answers_429=rate_limited,
        answers_5xx=failed,
        post_attempts=len(posts),
        alerts_delivered=len(delivered_alerts(emulator)),
        retried_before_retry_after=len(_early_retries(posts)),
        seconds_to_deliver_all=round(recovered_after, 1),
        lost=lost,
        duplicated=extra,
    )
