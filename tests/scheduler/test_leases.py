"""A scheduled job runs once per period however many replicas fire it.

The two-process test is the real situation: two ``leadscore serve``
processes against one PostgreSQL, both firing the same jobs at the same time.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import open_services
from bot.scheduler import decay_job
from bot.scheduler.runs import run_once
from bot.services import Services
from bot.settings import Settings
from storage.engine import session_scope
from storage.job_leases import Claim, claim_run, finish_run
from storage.models import JobRun
from tests.scheduler.conftest import T0

LEASE = timedelta(minutes=15)


def _runs(services: Services) -> list[JobRun]:
    with session_scope(services.engine) as session:
        return list(session.exec(select(JobRun).order_by(JobRun.period)))  # type: ignore[arg-type]


def _replica(services: Services) -> Services:
    """A second replica: same database, its own holder name."""
    other = open_services(services.settings, client=services.client, migrate=False)
    return other


def test_the_second_replica_skips_a_period_the_first_has_done(services: Services) -> None:
    other = _replica(services)
    first = decay_job(services, T0)
    second = decay_job(other, T0 + timedelta(seconds=5))
    assert (first.ran, second.ran) == (True, False)
    [run] = _runs(services)
    assert (run.job, run.period) == ("decay", "2026-11-02")
    assert run.finished_at is not None and run.outcome is not None
    assert run.outcome.startswith("ok: ")
    other.engine.dispose()


def test_a_period_being_run_elsewhere_is_skipped_until_its_lease_expires(
    services: Services,
) -> None:
    with session_scope(services.engine) as session:
        claim = claim_run(
            session=session, job="decay", period="2026-11-02", holder="crashed", now=T0, lease=LEASE
        )
    assert claim is not None
    assert not decay_job(services, T0 + timedelta(minutes=14)).ran  # still held
    result = decay_job(services, T0 + timedelta(minutes=16))  # the holder never finished
    assert (result.ran, result.taken_over) == (True, True)
    [run] = _runs(services)
    assert run.holder != "crashed" and run.finished_at is not None
    # The crashed holder coming back cannot overwrite the run it lost.
    with session_scope(services.engine) as session:
        assert not finish_run(session=session, claim=claim, now=T0, outcome="late")


def test_a_failed_run_is_recorded_and_tried_again(services: Services) -> None:
    def boom() -> str:
        raise RuntimeError("Slack is down")

    failed = run_once(services, job="digest", period="2026-W45", now=T0, lease=LEASE, body=boom)
    assert failed.failed and "Slack is down" in (failed.outcome or "")
    [run] = _runs(services)
    assert run.finished_at is None and run.outcome == failed.outcome
    retried = run_once(
        services,
        job="digest",
        period="2026-W45",
        now=T0 + timedelta(minutes=5),
        lease=LEASE,
        body=lambda: "ok: posted",
    )
    assert retried.ran and retried.outcome == "ok: posted"


def _claim_periods(url: str, barrier: Any, results: Any, periods: list[str]) -> None:
    """One replica's process: wait for the other, then fire the same jobs."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    services = open_services(settings, migrate=False)
    ran = []
    barrier.wait(timeout=30)
    for period in periods:
        result = run_once(
            services,
            job="digest",
            period=period,
            now=T0,
            lease=LEASE,
            body=lambda: "ok",
        )
        if result.ran:
            ran.append(period)
    results.put(ran)
    services.engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_firing_the_same_jobs_run_each_period_once(postgres_url: str) -> None:
    open_services(Settings(_env_file=None, database_url=postgres_url)).engine.dispose()  # type: ignore[call-arg]
    periods = [f"2026-W{week:02d}" for week in range(1, 31)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=_claim_periods, args=(postgres_url, barrier, results, periods))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    ran = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert sorted(ran[0] + ran[1]) == periods  # every period once, none twice


def test_claim_is_keyword_only_and_reports_takeover(services: Services) -> None:
    with session_scope(services.engine) as session:
        first = claim_run(session=session, job="x", period="p", holder="a", now=T0, lease=LEASE)
        again = claim_run(session=session, job="x", period="p", holder="b", now=T0, lease=LEASE)
        later = claim_run(
            session=session, job="x", period="p", holder="b", now=T0 + LEASE * 2, lease=LEASE
        )
    assert isinstance(first, Claim) and not first.taken_over
    assert again is None
    assert later is not None and later.taken_over and later.holder == "b"
