"""Scheduled work: behaviour decay, the weekly digest, outbox and SLA sweeps.

``SchedulerWorker`` runs them inside ``leadscore serve``; the job functions
take the services and the instant, so the CLI and tests call them directly.
"""

from bot.scheduler.jobs import (
    catch_up,
    decay_job,
    decay_now,
    digest_job,
    outbox_sweep,
    sla_sweep,
)
from bot.scheduler.runs import RunResult
from bot.scheduler.worker import SchedulerWorker

__all__ = [
    "RunResult",
    "SchedulerWorker",
    "catch_up",
    "decay_job",
    "decay_now",
    "digest_job",
    "outbox_sweep",
    "sla_sweep",
]
