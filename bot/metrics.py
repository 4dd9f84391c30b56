"""Prometheus metrics for ``GET /metrics``: what came in, what went out, what ran.

Counters live in one registry per process (not prometheus-client's global
default), created once at import: every app built in the same process, as
tests do, shares them without "duplicated timeseries" errors. The outbox depth
is not a counter the code keeps up to date but one COUNT query at scrape time,
so it is right even when another replica sent the alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from storage.models import Alert

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from bot.ingest.results import IngestResult

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SOURCES = ("webhook", "slack", "csv")

disable_created_metrics()  # no *_created series next to every counter; nothing here reads them
PROCESS = CollectorRegistry()

EVENTS_INGESTED = Counter(
    "leadscore_events_ingested",
    "Events stored (new, valid), by where they came from.",
    ["source"],
    registry=PROCESS,
)
EVENTS_REJECTED = Counter(
    "leadscore_events_rejected",
    "Events refused as invalid and kept as dead letters, by source.",
    ["source"],
    registry=PROCESS,
)
EVENTS_DUPLICATE = Counter(
    "leadscore_events_duplicate",
    "Events ignored because their id was already stored, by source.",
    ["source"],
    registry=PROCESS,
)
ALERTS_SENT = Counter("leadscore_alerts_sent", "Hot-lead alerts posted to Slack.", registry=PROCESS)
ALERTS_FAILED = Counter(
    "leadscore_alerts_failed",
    "Attempts to post a hot-lead alert that Slack refused or that did not reach it.",
    registry=PROCESS,
)
JOB_RUNS = Counter(
    "leadscore_job_runs",
    "Scheduled job runs by job and outcome (e.g. ok, failed, skipped).",
    ["job", "outcome"],
    registry=PROCESS,
)

for _source in SOURCES:  # the series exist at 0 before the first event
    for _counter in (EVENTS_INGESTED, EVENTS_REJECTED, EVENTS_DUPLICATE):
        _counter.labels(source=_source)


def record_ingest(source: str, result: IngestResult, *, also_rejected: int = 0) -> None:
    """Count one committed batch from ``source`` (``also_rejected``: refused by the caller)."""
    EVENTS_INGESTED.labels(source=source).inc(result.accepted)
    EVENTS_DUPLICATE.labels(source=source).inc(result.duplicates)
    EVENTS_REJECTED.labels(source=source).inc(len(result.rejected) + also_rejected)


def record_alert_sent() -> None:
    """Call once per alert Slack accepted (chat.postMessage ok)."""
    ALERTS_SENT.inc()


def record_alert_failed() -> None:
    """Call once per failed attempt to post an alert (error, 429, timeout)."""
    ALERTS_FAILED.inc()


def record_job_run(job: str, outcome: str) -> None:
    """Call once per scheduled job run, e.g. ``record_job_run("digest", "ok")``."""
    JOB_RUNS.labels(job=job, outcome=outcome).inc()


def pending_alerts(engine: Engine) -> int:
    """How many alerts wait in the outbox (one COUNT on the outbox's status index)."""
    query = select(func.count()).select_from(Alert).where(col(Alert.status) == "pending")
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


class _ProcessCounters(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from PROCESS.collect()


class _OutboxDepth(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        try:
            depth = pending_alerts(self.engine)
        except SQLAlchemyError as exc:  # /healthz reports the outage; keep the counters
            log.warning("outbox depth unavailable", extra={"error": type(exc).__name__})
            return
        gauge = GaugeMetricFamily(
            "leadscore_outbox_pending", "Alerts queued in the outbox and not yet sent."
        )
        gauge.add_metric([], depth)
        yield gauge


def app_registry(engine: Engine) -> CollectorRegistry:
    """The registry one app serves: the process's counters plus its database's outbox."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessCounters())
    registry.register(_OutboxDepth(engine))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The Prometheus text exposition of ``registry``."""
    return generate_latest(registry)
