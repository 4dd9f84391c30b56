"""Running a job body once per period under a lease, and recording how it went.

The claim is committed before the body runs, so a second replica firing the
same job sees it and skips. A body that raises gives the period back
(unfinished, lease ended) with the error as its outcome, so the next check
tries again; a holder that dies mid-run leaves a lease that expires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.metrics import record_job_run
from bot.services import Services
from storage.engine import session_scope
from storage.job_leases import claim_run, finish_run, latest_runs, record_run, release_run
from storage.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    """What happened when a job was due: ``ran`` is False when another holder had it."""

    job: str
    period: str
    ran: bool
    outcome: str | None = None
    taken_over: bool = False

    @property
    def failed(self) -> bool:
        return self.ran and (self.outcome or "").startswith("failed")


def holder_of(services: Services) -> str:
    """This scheduler's name in lease rows: host, process and a per-services token."""
    return services.job_holder


def run_once(
    services: Services,
    *,
    job: str,
    period: str,
    now: datetime,
    lease: timedelta,
    body: Callable[[], str],
) -> RunResult:
    """Run ``body`` unless this (job, period) is done or being done elsewhere."""
    holder = holder_of(services)
    with session_scope(services.engine) as session:
        claim = claim_run(
            session=session, job=job, period=period, holder=holder, now=now, lease=lease
        )
    if claim is None:
        log.debug("%s %s: done or held by another replica, skipped", job, period)
        record_job_run(job, "skipped")
        return RunResult(job, period, ran=False)
    if claim.taken_over:
        log.warning("%s %s: lease of a crashed holder expired, taking over", job, period)
    started = time.monotonic()

    def finished_at() -> datetime:  # on the caller's clock, which tests freeze
        return now + timedelta(seconds=time.monotonic() - started)

    try:
        outcome = body()
    except Exception as exc:
        log.exception("%s %s failed; it will be tried again", job, period)
        outcome = f"failed: {type(exc).__name__}: {exc}"
        with session_scope(services.engine) as session:
            release_run(session=session, claim=claim, now=now, outcome=outcome)
        record_job_run(job, "failed")
        return RunResult(job, period, ran=True, outcome=outcome, taken_over=claim.taken_over)
    with session_scope(services.engine) as session:
        kept = finish_run(session=session, claim=claim, now=finished_at(), outcome=outcome)
    if not kept:
        log.warning("%s %s: the lease expired before the run finished", job, period)
    log.info("%s %s: %s", job, period, outcome)
    record_job_run(job, "ok")
    return RunResult(job, period, ran=True, outcome=outcome, taken_over=claim.taken_over)


def record_sweep(
    services: Services, *, job: str, started_at: datetime, finished_at: datetime, outcome: str
) -> None:
    """Keep the latest run of a lease-free sweep, for ``leadscore jobs``."""
    record_job_run(job, "failed" if outcome.startswith("failed") else "ok")
    with session_scope(services.engine) as session:
        record_run(
            session=session,
            job=job,
            period="latest",
            holder=holder_of(services),
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
        )


def latest_job_runs(services: Services) -> dict[str, JobRun]:
    """The most recently started run of each job, by job name (``leadscore jobs``)."""
    with session_scope(services.engine) as session:
        return latest_runs(session=session)
