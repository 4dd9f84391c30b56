"""The scheduled jobs, as plain functions of the services and the instant.

The worker calls them with ``services.clock()``; tests call them directly
under freezegun; ``leadscore decay`` calls ``decay_now``. Decay and digest
run once per period across replicas (a lease row each); the outbox and SLA
sweeps need no lease because each alert is claimed and escalated atomically.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta

from bot.alerts import deliver_due, escalate_overdue
from bot.digest.post import post_weekly_digest
from bot.scheduler.periods import decay_period, digest_due_at, digest_period
from bot.scheduler.runs import RunResult, record_sweep, run_once
from bot.services import Services
from scoring.rule_set import RuleSet
from storage.decay import DecayStats, decay_leads, lead_id_bounds
from storage.engine import session_scope, yielding_to_ingest
from storage.job_leases import find_run, ran_before

log = logging.getLogger(__name__)

DECAY, DIGEST, OUTBOX_SWEEP, SLA_SWEEP = "decay", "digest", "outbox-sweep", "sla-sweep"
LEASE = timedelta(minutes=15)
DECAY_CHUNK = 50_000
"""Leads per decay transaction: short enough that ingest never waits long for a row."""


def decay_now(services: Services, at: datetime) -> DecayStats:
    """Decay every lead to its score at ``at`` (idempotent; no lease, no record)."""
    with session_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        bounds = lead_id_bounds(session=session)
    total = DecayStats()
    if bounds is None:
        return total
    for start in range(bounds[0] - 1, bounds[1], DECAY_CHUNK):
        ids = (start, min(start + DECAY_CHUNK, bounds[1]))
        total += _decay_range(services, rule_set, at, ids)
    return total


def _decay_range(
    services: Services, rule_set: RuleSet, at: datetime, ids: tuple[int, int]
) -> DecayStats:
    """One chunk, giving way to ingest on PostgreSQL (see ``yielding_to_ingest``)."""
    return yielding_to_ingest(
        services.engine,
        lambda session: decay_leads(session=session, rule_set=rule_set, at=at, ids=ids),
        what=f"decay of leads {ids[0]}..{ids[1]}",
    )


def decay_job(services: Services, now: datetime) -> RunResult:
    """Today's decay (local day), once across replicas."""
    period = decay_period(now, services.settings.zone)

    def body() -> str:
        stats = decay_now(services, now)
        return f"ok: {stats.decayed} leads decayed, {stats.cooled} cooled"

    return run_once(services, job=DECAY, period=period, now=now, lease=LEASE, body=body)


def digest_job(services: Services, now: datetime) -> RunResult:
    """The digest of the ISO week of the latest scheduled digest time, once."""
    period = digest_period(digest_due_at(now, services.settings), services.settings.zone)

    def body() -> str:
        report_id = post_weekly_digest(services, period=period, now=now)
        if report_id is None:
            return "ok: not posted (LEADSCORE_DIGEST_CHANNEL is not set)"
        return f"ok: report {report_id}"

    return run_once(services, job=DIGEST, period=period, now=now, lease=LEASE, body=body)


def catch_up(services: Services, now: datetime) -> list[RunResult]:
    """Run what is due and not done: today's decay, and a digest missed while down.

    Called at start-up and every few minutes, so a failed or crashed run is
    tried again. A digest counts as missed only if the app had run before its
    time (or tried it): a fresh install does not post last Monday's digest.
    """
    settings = services.settings
    due = digest_due_at(now, settings)
    week = digest_period(due, settings.zone)
    with session_scope(services.engine) as session:
        decay_run = find_run(session=session, job=DECAY, period=decay_period(now, settings.zone))
        digest_run = find_run(session=session, job=DIGEST, period=week)
        was_up = digest_run is not None or ran_before(session=session, when=due)
    results = []
    if decay_run is None or decay_run.finished_at is None:
        results.append(decay_job(services, now))
    if was_up and (digest_run is None or digest_run.finished_at is None):
        results.append(digest_job(services, now))
    return results


def outbox_sweep(services: Services, now: datetime) -> str:
    """Send alerts that are due (a backstop for the sender woken by ingest)."""
    return _sweep(services, now, OUTBOX_SWEEP, deliver_due)


def sla_sweep(services: Services, now: datetime) -> str:
    """Escalate hot-lead alerts left unclaimed past the SLA."""
    return _sweep(services, now, SLA_SWEEP, escalate_overdue)


def _sweep(
    services: Services, now: datetime, job: str, function: Callable[[Services], object]
) -> str:
    started = time.monotonic()
    try:
        outcome = _describe(function(services))
    except Exception as exc:
        log.exception("%s failed", job)
        outcome = f"failed: {type(exc).__name__}: {exc}"
    finished = now + timedelta(seconds=time.monotonic() - started)
    record_sweep(services, job=job, started_at=now, finished_at=finished, outcome=outcome)
    return outcome


def _describe(result: object) -> str:
    """A sweep's return value as a short outcome: ``ok: sent=1 failed=0`` or ``ok: 2``."""
    if result is None:
        return "ok"
    if is_dataclass(result):
        parts = " ".join(f"{f.name}={getattr(result, f.name)}" for f in fields(result))
        return f"ok: {parts}"
    return f"ok: {result}"
