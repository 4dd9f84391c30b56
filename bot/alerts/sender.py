"""``OutboxSender``: the background worker that posts queued alerts within seconds.

The ingest path calls ``services.alerts_queued`` after committing an alert,
which kicks this worker awake, so an alert goes out as soon as its score
change is durable. It also wakes when the earliest retry falls due and sweeps
every few seconds anyway, for alerts other replicas queued and for SLA
escalations. It never sleeps on Slack's behalf: a 429 only moves a row's
``next_attempt_at`` to ``Retry-After``.

Exactly once, even across a crash: ``deliver_due`` (also run by the scheduler
every minute) claims a row with a lease before calling Slack, posts it with
message metadata ``{event_type: "leadscore_alert", event_payload: {alert_key}}``
and only then marks it sent. If the process dies between Slack's answer and
that mark, the lease runs out and the next attempt (``attempts > 1``) first
looks the alert up with ``conversations.history`` (``include_all_metadata``,
from a minute before the alert was queued) and records the ts it finds
instead of posting again. See ``bot.alerts.delivery`` and ``recovery``.
"""

from __future__ import annotations

import logging
import threading
import time

from bot.alerts.delivery import deliver_due
from bot.alerts.escalation import escalate_overdue
from bot.routing.directory import refresh_directory
from bot.services import Services
from storage.engine import session_scope
from storage.outbox import next_due_at

log = logging.getLogger(__name__)
BATCH = 50
"""Alerts posted between two checks of ``stop()``."""
POSTERS = 2
"""Threads posting at once: one draws and claims the next alert while another waits on Slack.
Rows are claimed one by one, so they never post the same alert."""


class OutboxSender:
    """Drains the alert outbox from one daemon thread; ``start()``/``stop()`` like any worker."""

    def __init__(
        self,
        services: Services,
        *,
        sweep_seconds: float = 5.0,
        escalate: bool = True,
        posters: int = POSTERS,
    ) -> None:
        self.services = services
        self.sweep_seconds = sweep_seconds
        self.escalate = escalate
        self.posters = posters
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._failing = False

    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        self.services.alert_listeners.append(self.kick)
        self._threads = [
            threading.Thread(
                target=self._run, args=(i == 0,), name=f"alert-outbox-{i}", daemon=True
            )
            for i in range(self.posters)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        threads, self._threads = self._threads, []
        if self.kick in self.services.alert_listeners:
            self.services.alert_listeners.remove(self.kick)
        self._stopping.set()
        self._wake.set()
        for thread in threads:
            thread.join(timeout)

    def kick(self, alert_ids: list[int] | None = None) -> None:
        """New alerts were committed: post them now rather than at the next sweep."""
        self._wake.set()

    def _run(self, sweeps: bool) -> None:
        """One poster; all of them drain, the first one also runs the SLA sweep."""
        next_sweep = 0.0
        while not self._stopping.is_set():
            self._wake.clear()
            wait = self.sweep_seconds
            try:
                stats = deliver_due(self.services, limit=BATCH)
                if sweeps and self.escalate and time.monotonic() >= next_sweep:
                    self._refresh_directory()
                    escalate_overdue(self.services)
                    next_sweep = time.monotonic() + self.sweep_seconds
                wait = 0.0 if stats.handled >= BATCH else self._until_next_due()
                self._recovered()
            except Exception:
                self._failed()
            self._wake.wait(wait)

    def _refresh_directory(self) -> None:
        """Owners' emails and reps' time zones from Slack; a failure never holds up the SLA."""
        try:
            refresh_directory(self.services)
        except Exception:
            log.warning("rep directory not refreshed; retried next sweep", exc_info=True)

    def _until_next_due(self) -> float:
        with session_scope(self.services.engine) as session:
            due = next_due_at(session=session)
        if due is None:
            return self.sweep_seconds
        seconds = (due - self.services.clock()).total_seconds()
        return min(self.sweep_seconds, max(0.01, seconds))

    def _failed(self) -> None:
        """Log the first failure of a streak with its traceback, not one every sweep."""
        if not self._failing:
            log.exception("alert outbox pass failed; retrying every %.0f s", self.sweep_seconds)
        self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.info("alert outbox is working again")
        self._failing = False
