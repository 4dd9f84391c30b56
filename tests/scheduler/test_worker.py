"""The scheduler inside ``leadscore serve``: started, it catches up; stopped, it is gone.

Real time here (no freezegun): the worker's own thread runs the catch-up.
"""

from __future__ import annotations

import json
import time

from click.testing import CliRunner
from sqlmodel import select

from bot.background import make_workers, start_workers, stop_workers
from bot.cli.main import cli
from bot.runtime import open_services
from bot.scheduler import SchedulerWorker
from bot.services import Services
from storage.engine import session_scope
from storage.models import JobRun


def _decay_runs(services: Services) -> list[JobRun]:
    with session_scope(services.engine) as session:
        return list(session.exec(select(JobRun).where(JobRun.job == "decay")))  # type: ignore[arg-type]


def _wait_for_decay(services: Services, timeout: float = 10.0) -> list[JobRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _decay_runs(services)
        if runs and all(run.finished_at for run in runs):
            return runs
        time.sleep(0.05)
    raise AssertionError("no finished decay run recorded")


def test_two_replicas_starting_together_decay_once_and_schedule_every_job(
    services: Services,
) -> None:
    other = open_services(services.settings, client=services.client, migrate=False)
    workers = [SchedulerWorker(services), SchedulerWorker(other)]
    start_workers(workers)  # type: ignore[arg-type]
    try:
        [run] = _wait_for_decay(services)
        assert run.outcome is not None and run.outcome.startswith("ok")
        upcoming = workers[0].next_runs()
        assert {"decay", "digest", "outbox-sweep", "sla-sweep", "catch-up"} <= set(upcoming)
    finally:
        stop_workers(workers)  # type: ignore[arg-type]
        other.engine.dispose()
    assert workers[0].next_runs() == {}


def test_serve_runs_the_scheduler(sqlite_services: Services) -> None:
    workers = make_workers(sqlite_services)
    assert any(isinstance(worker, SchedulerWorker) for worker in workers)


def test_leadscore_jobs_shows_the_last_and_next_runs(sqlite_services: Services) -> None:
    worker = SchedulerWorker(sqlite_services)
    worker.start()
    try:
        _wait_for_decay(sqlite_services)
    finally:
        worker.stop()
    env = {"LEADSCORE_DATABASE_URL": sqlite_services.settings.database_url}
    outcome = CliRunner().invoke(cli, ["jobs", "--json"], env=env)
    assert outcome.exit_code == 0, outcome.output
    jobs = {row["job"]: row for row in json.loads(outcome.output)["jobs"]}
    assert jobs["decay"]["last_outcome"].startswith("ok")
    assert jobs["decay"]["next_run_at"] is not None
    assert jobs["digest"]["next_run_at"] is not None
    assert jobs["digest"]["last_started_at"] is None  # a fresh install posts no digest
