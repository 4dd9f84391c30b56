"""Two ``leadscore serve`` replicas on one PostgreSQL schema, fed the same leads at once.

Both start together on a freshly migrated schema (so both load the rule file
and run their start-up catch-up at the same moment, with a weekly digest
missed while "down"), then receive interleaved batches about the same leads,
some batches sent to both. Nothing may be lost or doubled: every event counted
once, scores equal to one single-process replay, each hot lead alerted once in
Slack, and decay and the digest run once for their period.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, func, select

from bot.runtime import open_services
from bot.scheduler.periods import decay_period, digest_due_at, digest_period
from bot.slack_emulator import SlackEmulator
from storage.engine import make_engine, session_scope
from storage.models import JobRun, RuleSetVersion
from tests.conftest import INGEST_SECRET, make_settings
from tests.reliability.figures import record
from tests.reliability.outbox_checks import (
    alerted_leads,
    delivered_alerts,
    duplicates_and_losses,
    event_count,
    wait_for_outbox,
    wait_until,
)
from tests.reliability.replay import replay_scores, score_differences, scores_of
from tests.reliability.serve_process import ServeProcess, serve_environment
from tests.reliability.traffic import body_of, lead_pool, make_batches
from tests.support.ingest_client import signed

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BATCHES = 40
BATCH_SIZE = 50
SENT_TO_BOTH = 10
DIGEST_CHANNEL = "C0DIGEST"


def _seed_a_missed_digest(url: str, emulator: SlackEmulator) -> str:
    """Migrate, and record a run from before the last digest time: the app was up, then down."""
    services = open_services(make_settings(url, emulator, digest_channel=DIGEST_CHANNEL))
    now = datetime.now(UTC)
    due = digest_due_at(now, services.settings)
    with session_scope(services.engine) as session:
        session.add(
            JobRun(
                job="decay",
                period="seed",
                holder="an earlier deployment",
                started_at=due - timedelta(days=1),
                lease_until=due - timedelta(days=1),
                finished_at=due - timedelta(days=1),
                outcome="ok",
            )
        )
    services.engine.dispose()
    return digest_period(due, services.settings.zone)


def _post_batches(url: str, batches: list[bytes], statuses: list[int]) -> None:
    with httpx.Client(timeout=60) as client:
        for raw in batches:
            response = client.post(f"{url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
            statuses.append(response.status_code)


def test_two_replicas_lose_no_update_and_alert_once(
    tmp_path: Path, postgres_url: str, emulator: SlackEmulator
) -> None:
    week = _seed_a_missed_digest(postgres_url, emulator)
    env = serve_environment(postgres_url, emulator.api_url, LEADSCORE_DIGEST_CHANNEL=DIGEST_CHANNEL)
    replicas = [
        ServeProcess(env, tmp_path / name, name=name) for name in ("replica-a", "replica-b")
    ]
    starting = [threading.Thread(target=replica.start) for replica in replicas]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join(timeout=120)
    try:
        assert all(r.process is not None and r.process.poll() is None for r in replicas), [
            r.stderr_text() for r in replicas
        ]
        pool = lead_pool(60, seed=11)
        batches = make_batches(BATCHES, BATCH_SIZE, pool=pool, seed=12, prefix="replica")
        bodies = [body_of(batch) for batch in batches]
        rng = random.Random(13)
        both = set(rng.sample(range(BATCHES), SENT_TO_BOTH))
        plan: list[list[bytes]] = [[], []]
        for index, raw in enumerate(bodies):
            plan[index % 2].append(raw)
            if index in both:
                plan[1 - index % 2].append(raw)
        for share in plan:
            rng.shuffle(share)
        statuses: list[int] = []
        clients = [
            threading.Thread(target=_post_batches, args=(replica.url, share, statuses))
            for replica, share in zip(replicas, plan, strict=True)
        ]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=300)
        assert statuses == [200] * (BATCHES + SENT_TO_BOTH)

        engine = make_engine(postgres_url)
        events = [event for batch in batches for event in batch]
        assert event_count(engine) == BATCHES * BATCH_SIZE
        replayed = replay_scores(events)
        assert score_differences(scores_of(engine), replayed) == []
        hot = {email for email, (score, *_rest) in replayed.items() if score >= 70}
        alerts = alerted_leads(engine)
        assert len(alerts) == len(hot) and set(alerts.values()) == {1}
        wait_for_outbox(engine, emulator, timeout=60)
        extra, lost = duplicates_and_losses(engine, emulator)
        assert (extra, lost) == (0, 0)

        today = decay_period(datetime.now(UTC), ZoneInfo("UTC"))
        wait_until(lambda: _finished(engine, "digest", week), timeout=60, what="the digest run")
        wait_until(lambda: _finished(engine, "decay", today), timeout=60, what="today's decay")
        with engine.connect() as connection:
            runs = Counter(
                (job, period)
                for job, period in connection.execute(select(JobRun.job, JobRun.period))
            )
            versions = connection.execute(select(func.count()).select_from(RuleSetVersion))
            assert versions.scalar_one() == 1
        assert set(runs.values()) == {1}
        digests = [
            call
            for call in emulator.calls_to("chat.postMessage")
            if call.params.get("channel") == DIGEST_CHANNEL and not call.params.get("thread_ts")
        ]
        assert len(digests) == 1
        engine.dispose()
        stderr = [replica.stop() for replica in replicas]
    finally:
        for replica in replicas:
            replica.kill()
    logs = "".join(replica.stderr_text() for replica in replicas)
    assert "Traceback" not in logs, stderr
    record(
        "replicas: two serve processes, one PostgreSQL schema",
        batches=BATCHES + SENT_TO_BOTH,
        sent_to_both=SENT_TO_BOTH,
        distinct_events=BATCHES * BATCH_SIZE,
        leads=len(pool),
        hot_leads=len(hot),
        alerts_posted=sum(delivered_alerts(emulator).values()),
        digests_posted=len(digests),
        job_runs=dict(runs),
        deadlock_retries=logs.count("transaction rolled back by the database"),
        lost=lost,
        duplicated=extra,
    )


def _finished(engine: Engine, job: str, period: str) -> bool:
    with engine.connect() as connection:
        row = connection.execute(
            select(JobRun.finished_at).where(JobRun.job == job, JobRun.period == period)
        ).first()
    return row is not None and row[0] is not None
