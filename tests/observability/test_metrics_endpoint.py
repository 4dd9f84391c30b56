"""An operator's Prometheus scrapes /metrics: what came in, what is waiting, what ran."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.ingest import Item
from bot.metrics import app_registry, record_alert_failed, record_alert_sent, record_job_run, render
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import make_engine
from tests.conftest import INGEST_SECRET, make_services, make_settings
from tests.support.events import hot_lead, lead_created
from tests.support.ingest_client import post_events
from tests.support.servers import running

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(client: httpx.Client, url: str) -> Samples:
    response = client.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _get(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def server(services: Services) -> Iterator[tuple[httpx.Client, str]]:
    app = create_server(services, workers=False)
    with running(app.http) as url, httpx.Client(timeout=10) as client:
        yield client, url


def test_ingest_counts_by_source_and_the_outbox_depth(server: tuple[httpx.Client, str]) -> None:
    client, url = server
    before = _scrape(client, url)
    assert _get(before, "leadscore_outbox_pending") == 0
    events = [
        hot_lead("ana@acme.io"),
        lead_created("bo@beta.io", event_id="evt-bo"),
        {"id": "evt-broken", "type": "activity"},
    ]
    post_events(client, url, events, INGEST_SECRET)
    post_events(client, url, [lead_created("bo@beta.io", event_id="evt-bo")], INGEST_SECRET)

    after = _scrape(client, url)

    def grew(name: str) -> float:
        return _get(after, name, source="webhook") - _get(before, name, source="webhook")

    assert grew("leadscore_events_ingested_total") == 2
    assert grew("leadscore_events_duplicate_total") == 1
    assert grew("leadscore_events_rejected_total") == 1
    assert _get(after, "leadscore_outbox_pending") == 1  # Ana's alert, no sender running


def test_alert_and_job_helpers_show_up_in_the_scrape(server: tuple[httpx.Client, str]) -> None:
    client, url = server
    before = _scrape(client, url)
    record_alert_sent()
    record_alert_sent()
    record_alert_failed()
    record_job_run("digest", "ok")
    after = _scrape(client, url)

    def grew(name: str, **labels: str) -> float:
        return _get(after, name, **labels) - _get(before, name, **labels)

    assert grew("leadscore_alerts_sent_total") == 2
    assert grew("leadscore_alerts_failed_total") == 1
    assert grew("leadscore_job_runs_total", job="digest", outcome="ok") == 1


def test_every_source_series_exists_before_its_first_event(
    server: tuple[httpx.Client, str],
) -> None:
    client, url = server
    samples = _scrape(client, url)
    for source in ("webhook", "slack", "csv"):
        assert ("leadscore_events_ingested_total", (("source", source),)) in samples


def test_two_apps_in_one_process_each_serve_their_own_outbox(
    server: tuple[httpx.Client, str], emulator: SlackEmulator, tmp_path: Path
) -> None:
    client, url = server
    post_events(client, url, [hot_lead("ana@acme.io")], INGEST_SECRET)
    settings = make_settings(f"sqlite:///{tmp_path / 'other.db'}", emulator)
    other = create_server(make_services(settings, emulator), workers=False)
    with running(other.http) as other_url:
        assert _get(_scrape(client, other_url), "leadscore_outbox_pending") == 0
    assert _get(_scrape(client, url), "leadscore_outbox_pending") == 1
    other.services.engine.dispose()


def test_counters_are_still_served_when_the_database_is_down(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/missing/dir/leadscore.db")
    text = render(app_registry(engine)).decode()
    assert "leadscore_events_ingested_total" in text
    assert "leadscore_outbox_pending" not in text


def test_a_csv_import_counts_its_refused_rows_as_rejected(services: Services) -> None:
    def csv_count(name: str) -> float:
        samples = text_string_to_metric_families(render(app_registry(services.engine)).decode())
        return next(
            s.value
            for family in samples
            for s in family.samples
            if s.name == name and s.labels == {"source": "csv"}
        )

    before = (
        csv_count("leadscore_events_ingested_total"),
        csv_count("leadscore_events_rejected_total"),
    )
    refused = {"event_id": None, "position": "line 3", "payload": "x", "error": "no email"}
    items = [Item(position="line 2", data=lead_created("bo@beta.io"), index=None)]
    services.ingestor.ingest(items, source="csv", alert=False, dead_letters=[refused])
    assert csv_count("leadscore_events_ingested_total") - before[0] == 1
    assert csv_count("leadscore_events_rejected_total") - before[1] == 1


def test_a_scheduled_run_and_a_skipped_one_are_counted(
    server: tuple[httpx.Client, str], services: Services
) -> None:
    from datetime import UTC, datetime

    from bot.scheduler.jobs import decay_job

    client, url = server
    before = _scrape(client, url)
    now = datetime.now(UTC)
    decay_job(services, now)
    decay_job(services, now)  # same day: the lease says it already ran
    after = _scrape(client, url)
    grew = _get(after, "leadscore_job_runs_total", job="decay", outcome="ok") - _get(
        before, "leadscore_job_runs_total", job="decay", outcome="ok"
    )
    skipped = _get(after, "leadscore_job_runs_total", job="decay", outcome="skipped") - _get(
        before, "leadscore_job_runs_total", job="decay", outcome="skipped"
    )
    assert (grew, skipped) == (1, 1)
