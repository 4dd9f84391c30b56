"""SIGKILL ``leadscore serve`` while a CRM is sending: nothing acknowledged is lost.

A client thread sends 50-event batches with deterministic ids; the server is
killed at random moments, several times, and restarted. The contract says a
200 means durably stored and a batch goes in whole or not at all, so:

- every batch that got a 200 is fully in the database, even after the kill;
- every other batch is fully in or fully out (checked while the server is
  dead), and after the client resends it, it counts once;
- the final scores equal one replay of the same events in a fresh database;
- every hot lead's alert is delivered to Slack exactly once, including those
  still pending in the outbox when the server died.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from bot.alerts.delivery import LEASE
from bot.slack_emulator import SlackEmulator
from storage.engine import make_engine
from storage.models import Alert, EventRecord
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
from tests.reliability.serve_process import ServeProcess, serve_environment
from tests.reliability.traffic import body_of, lead_pool, make_batches
from tests.support.databases import sqlite_url
from tests.support.ingest_client import signed

pytestmark = pytest.mark.slow

KILLS = 3
BATCHES = 60
BATCH_SIZE = 50


@dataclass
class Sender:
    """The CRM side: sends batches in order until the server stops answering."""

    batches: list[list[dict[str, object]]]
    acked: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    next_batch: int = 0
    acked_this_round: int = 0

    def run_round(self, url: str) -> None:
        self.acked_this_round = 0
        with httpx.Client(timeout=30) as client:
            while self.next_batch < len(self.batches):
                index = self.next_batch
                self.next_batch += 1
                if not self.send(client, url, index):
                    return

    def send(self, client: httpx.Client, url: str, index: int) -> bool:
        raw = body_of(self.batches[index])
        try:
            response = client.post(f"{url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
        except httpx.TransportError:
            self.failed.add(index)
            return False
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["accepted"] + body["duplicates"] == BATCH_SIZE and not body["rejected"]
        self.acked.add(index)
        self.failed.discard(index)
        self.acked_this_round += 1
        return True


def _stored_ids(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {str(row[0]) for row in connection.execute(select(EventRecord.event_id))}


def _pending_alerts(engine: Engine) -> tuple[int, int]:
    """(alerts not sent yet, of which claimed by the killed process: they wait out the lease)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Alert.attempts).where(Alert.status != "sent")).all()
    return len(rows), sum(1 for (attempts,) in rows if attempts > 0)


def _check_whole_batches(engine: Engine, sender: Sender) -> dict[int, bool]:
    """Acked batches fully in; the others fully in or fully out (index -> in?)."""
    stored = _stored_ids(engine)
    unacked: dict[int, bool] = {}
    for index, batch in enumerate(sender.batches[: sender.next_batch]):
        present = sum(1 for event in batch if event["id"] in stored)
        if index in sender.acked:
            assert present == BATCH_SIZE, f"acked batch {index} has {present}/{BATCH_SIZE}"
        else:
            assert present in (0, BATCH_SIZE), f"batch {index} half stored: {present}"
            unacked[index] = present == BATCH_SIZE
    return unacked


@pytest.fixture
def emulator_for_serve() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


def test_killed_server_loses_nothing_acknowledged_and_alerts_once(
    tmp_path: Path, emulator_for_serve: SlackEmulator
) -> None:
    emulator = emulator_for_serve
    url = sqlite_url(tmp_path)
    server = ServeProcess(serve_environment(url, emulator.api_url), tmp_path / "serve")
    pool = lead_pool(120, seed=5)
    sender = Sender(make_batches(BATCHES, BATCH_SIZE, pool=pool, seed=6, prefix="crash"))
    rng = random.Random(2026)
    engine = make_engine(url)
    started = time.monotonic()
    figures = {
        "kills": 0,
        "unacked_fully_in": 0,
        "unacked_fully_out": 0,
        "pending_at_restart": 0,
        "claimed_by_the_killed_process": 0,
    }
    try:
        for round_number in range(KILLS + 1):
            server.start()
            crm = threading.Thread(target=sender.run_round, args=(server.url,))
            crm.start()
            if round_number == KILLS:
                crm.join(timeout=300)
                break
            target = rng.randint(2, 6)
            deadline = time.monotonic() + 60
            while sender.acked_this_round < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.06))  # land inside a request about half the time
            server.kill()
            figures["kills"] += 1
            crm.join(timeout=60)
            unacked = _check_whole_batches(engine, sender)
            in_flight = unacked.get(sender.next_batch - 1)  # the batch the kill interrupted
            figures["unacked_fully_in"] += in_flight is True
            figures["unacked_fully_out"] += in_flight is False
            pending, claimed = _pending_alerts(engine)
            figures["pending_at_restart"] += pending
            figures["claimed_by_the_killed_process"] += claimed
        assert sender.next_batch == BATCHES
        retried = sorted(sender.failed)
        with httpx.Client(timeout=30) as http:
            for index in retried:
                assert sender.send(http, server.url, index), f"retry of batch {index} failed"
        assert sender.acked == set(range(BATCHES))

        events = [event for batch in sender.batches for event in batch]
        assert event_count(engine) == len({e["id"] for e in events}) == BATCHES * BATCH_SIZE
        _check_whole_batches(engine, sender)
        replayed = replay_scores(events)
        assert score_differences(scores_of(engine), replayed) == []

        hot = {email for email, (score, *_rest) in replayed.items() if score >= 70}
        assert len(alerted_leads(engine)) == len(hot) and set(alerted_leads(engine).values()) == {1}
        # An alert the killed process had claimed waits out its lease before a retry.
        wait_for_outbox(engine, emulator, timeout=LEASE.total_seconds() + 60)
        extra, lost = duplicates_and_losses(engine, emulator)
        assert (extra, lost) == (0, 0)
        stderr = server.stop()
    finally:
        server.kill()
        engine.dispose()
    assert "Traceback" not in server.stderr_text(), stderr
    record(
        "crash: SIGKILL during ingest",
        **figures,
        batches=BATCHES,
        events=BATCHES * BATCH_SIZE,
        retried_batches=len(retried),
        hot_leads=len(hot),
        alerts_posted=sum(delivered_alerts(emulator).values()),
        lost=lost,
        duplicated=extra,
        seconds=round(time.monotonic() - started),
    )
