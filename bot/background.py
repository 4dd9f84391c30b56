"""Background workers that run inside ``leadscore serve`` (outbox sender, scheduler).

Each worker has ``start()`` and ``stop()``; the HTTP app's lifespan starts
them after start-up and stops them on shutdown, so tests and the demo get
the same behaviour as production.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.alerts.sender import OutboxSender
from bot.scheduler import SchedulerWorker
from bot.services import Services
from storage.checkpoints import background_checkpointer

log = logging.getLogger(__name__)


class Worker(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def make_workers(services: Services) -> list[Worker]:
    """The workers a serving process runs.

    Storage upkeep comes first so that it stops last, after the others'
    final writes, and its last checkpoint holds them.
    """
    return [*storage_upkeep(services), OutboxSender(services), SchedulerWorker(services)]


def storage_upkeep(services: Services) -> list[Worker]:
    """The workers that keep the database in shape: the WAL checkpointer, on a SQLite file."""
    checkpointer = background_checkpointer(services.engine)
    return [checkpointer] if checkpointer is not None else []


def start_workers(workers: list[Worker]) -> None:
    for worker in workers:
        worker.start()


def stop_workers(workers: list[Worker]) -> None:
    for worker in reversed(workers):
        try:
            worker.stop()
        except Exception:  # keep stopping the others
            log.exception("worker %s did not stop cleanly", type(worker).__name__)
