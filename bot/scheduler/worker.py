"""The scheduler that runs inside ``leadscore serve``.

Each replica runs its own APScheduler with an in-memory job store (job
stores must never be shared); the lease rows in our database make each
decay day and digest week run once however many replicas fire. At start-up
a catch-up runs whatever was missed while the app was down, and it repeats
every few minutes so a failed run is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined

from bot.scheduler.jobs import (
    DECAY,
    DIGEST,
    OUTBOX_SWEEP,
    SLA_SWEEP,
    catch_up,
    decay_job,
    digest_job,
    outbox_sweep,
    sla_sweep,
)
from bot.scheduler.periods import decay_trigger, digest_trigger
from bot.services import Services

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30
CATCH_UP_MINUTES = 5


class SchedulerWorker:
    """Background worker: ``start()`` schedules the jobs, ``stop()`` waits for running ones."""

    def __init__(self, services: Services, *, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.services = services
        self.sweep_seconds = sweep_seconds
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        settings = self.services.settings
        scheduler = BackgroundScheduler(
            timezone=settings.zone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        sweep = IntervalTrigger(seconds=self.sweep_seconds, timezone=settings.zone)
        catch_up_every = IntervalTrigger(minutes=CATCH_UP_MINUTES, timezone=settings.zone)
        self._add(scheduler, DECAY, decay_job, decay_trigger(settings))
        self._add(scheduler, DIGEST, digest_job, digest_trigger(settings))
        self._add(scheduler, OUTBOX_SWEEP, outbox_sweep, sweep)
        self._add(scheduler, SLA_SWEEP, sla_sweep, sweep)
        # The catch-up fires at once (in the scheduler's thread, so start-up is not
        # delayed) and then every few minutes. One recurring job rather than an extra
        # one-off: APScheduler removes a finished one-off job, and that removal fails
        # with JobLookupError when a shutdown lands while the job runs.
        self._add(scheduler, "catch-up", catch_up, catch_up_every, first_run=datetime.now(UTC))
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started (%s)", settings.timezone)

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._scheduler = None

    def next_runs(self) -> dict[str, datetime | None]:
        """When each job fires next (for health output and tests)."""
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def _add(
        self,
        scheduler: BackgroundScheduler,
        name: str,
        function: Callable[[Services, datetime], Any],
        trigger: Any,
        *,
        first_run: datetime | None = None,
    ) -> None:
        scheduler.add_job(
            self._call,
            trigger,
            args=[function],
            id=name,
            name=name,
            next_run_time=first_run or undefined,  # undefined: the trigger's own first time
        )

    def _call(self, function: Callable[[Services, datetime], Any]) -> None:
        try:
            function(self.services, self.services.clock())
        except Exception:  # keep the scheduler alive; the next run retries
            log.exception("scheduled job %s failed", function.__name__)
