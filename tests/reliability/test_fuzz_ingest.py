"""Over ten thousand signed garbage bodies at ``/ingest``: never a 5xx, never half-stored.

Every body carries a valid signature, so it gets past authentication and
exercises parsing, validation and storage. For each one the probe checks:
status 200, 400 or 413 only; no traceback in the answer or ERROR in the
logs; a 200 answers for every item, names the field behind each rejection,
and the database gained exactly the accepted events and one dead letter per
rejection; a 400 or 413 stored nothing.

Drawing a structured example costs Hypothesis more than the request, so
most examples are sent two or three ways (alone, batched, bytes corrupted):
under the ``ci`` Hypothesis profile about 4,500 examples make the 10,000+
bodies, in-process for speed and a share over real HTTP into PostgreSQL
(``dev`` sends a quarter, ``thorough`` ten times as many). Each test checks
that it sent its share on its own, so any one of them can run alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.conftest import make_services, make_settings
from tests.reliability.figures import record
from tests.reliability.garbage import (
    CORRUPTIONS,
    batch_bodies,
    broken_events,
    corrupt,
    encode,
    json_values,
    valid_events,
)
from tests.reliability.ingest_probe import IngestProbe, in_process, over_http, watching_errors
from tests.support.databases import postgres_schema_url, sqlite_url
from tests.support.hypothesis_profiles import examples
from tests.support.servers import running

pytestmark = pytest.mark.slow

BUDGETS = {
    "json value": (800, 1),
    "broken fields": (1_100, 3),
    "mixed batch": (1_300, 2),
    "corrupted bytes": (800, 3),
    "real HTTP": (500, 2),
}
"""Per fuzz test: examples under the ``ci`` profile, and bodies sent per example."""


def sends_its_share(probe: IngestProbe, budget: str, fuzz: Callable[[], None]) -> None:
    """Run ``fuzz`` and check it sent at least half the bodies its budget promises."""
    at_ci, bodies = BUDGETS[budget]
    before = probe.cases
    fuzz()
    sent = probe.cases - before
    promised = bodies * examples(at_ci)
    assert sent >= promised // 2, f"{budget}: {sent} bodies sent, {promised} promised"


FUZZ = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(scope="module")
def fuzz_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One SQLite database for every example: the probe compares counts instead of resetting."""
    with SlackEmulator() as emulator:
        path = tmp_path_factory.mktemp("fuzz")
        built = make_services(make_settings(sqlite_url(Path(path)), emulator), emulator)
        yield built
        built.engine.dispose()


@pytest.fixture(scope="module")
def probe(fuzz_services: Services) -> Iterator[IngestProbe]:
    app = create_server(fuzz_services, workers=False).http
    send, close = in_process(app)
    with watching_errors() as errors:
        checker = IngestProbe(engine=fuzz_services.engine, send=send, errors=errors)
        yield checker
    close()
    record("fuzz /ingest in-process", **checker.figures())


@pytest.fixture(scope="module")
def http_probe() -> Iterator[IngestProbe]:
    """The real-HTTP share runs on PostgreSQL, which refuses more than SQLite does."""
    with SlackEmulator() as emulator:
        for url in postgres_schema_url():
            services = make_services(make_settings(url, emulator), emulator)
            app = create_server(services, workers=False).http
            with (
                running(app) as base_url,
                httpx.Client(timeout=30) as client,
                watching_errors() as errors,
            ):
                send = over_http(client, base_url)
                checker = IngestProbe(engine=services.engine, send=send, errors=errors)
                yield checker
            services.engine.dispose()
            record("fuzz /ingest over HTTP (PostgreSQL)", **checker.figures())


def test_any_json_value_as_the_body(probe: IngestProbe) -> None:
    @settings(FUZZ, max_examples=examples(BUDGETS["json value"][0]))
    @given(body=json_values)
    def fuzz(body: object) -> None:
        probe.check(encode(body))

    sends_its_share(probe, "json value", fuzz)


def test_an_event_with_broken_fields(probe: IngestProbe) -> None:
    """Three bodies: the event alone, beside a good event and its redelivery, corrupted."""

    @settings(FUZZ, max_examples=examples(BUDGETS["broken fields"][0]))
    @given(
        event=broken_events(),
        good=valid_events(),
        how=st.sampled_from(CORRUPTIONS),
        at=st.integers(min_value=0, max_value=10_000),
    )
    def fuzz(event: dict[str, object], good: dict[str, object], how: str, at: int) -> None:
        probe.check(encode(event))
        batch = encode({"events": [good, event, good]})
        probe.check(batch)
        probe.check(corrupt(batch, how, at))

    sends_its_share(probe, "broken fields", fuzz)


def test_batches_mixing_valid_and_invalid_items(probe: IngestProbe) -> None:
    """Two bodies: the batch as sent, and with its bytes corrupted."""

    @settings(FUZZ, max_examples=examples(BUDGETS["mixed batch"][0]))
    @given(body=batch_bodies(), how=st.sampled_from(CORRUPTIONS), at=st.integers(0, 10_000))
    def fuzz(body: object, how: str, at: int) -> None:
        raw = encode(body)
        probe.check(raw)
        probe.check(corrupt(raw, how, at))

    sends_its_share(probe, "mixed batch", fuzz)


def test_corrupted_bytes(probe: IngestProbe) -> None:
    """Three bodies: the batch broken in three different ways."""

    @settings(FUZZ, max_examples=examples(BUDGETS["corrupted bytes"][0]))
    @given(
        body=batch_bodies(),
        how=st.lists(st.sampled_from(CORRUPTIONS), min_size=3, max_size=3, unique=True),
        at=st.integers(min_value=0, max_value=10_000),
    )
    def fuzz(body: object, how: list[str], at: int) -> None:
        raw = encode(body)
        for corruption in how:
            probe.check(corrupt(raw, corruption, at))

    sends_its_share(probe, "corrupted bytes", fuzz)


@pytest.mark.postgres
def test_garbage_over_real_http(http_probe: IngestProbe) -> None:
    """Two bodies over real HTTP into PostgreSQL: as sent, and corrupted."""

    @settings(FUZZ, max_examples=examples(BUDGETS["real HTTP"][0]))
    @given(body=batch_bodies(), how=st.sampled_from(CORRUPTIONS))
    def fuzz(body: object, how: str) -> None:
        raw = encode(body)
        http_probe.check(raw)
        http_probe.check(corrupt(raw, how, len(raw) // 2))

    sends_its_share(http_probe, "real HTTP", fuzz)


def _nest(depth: int, opening: bytes, closing: bytes, inner: bytes = b"") -> bytes:
    return opening * depth + inner + closing * depth


VALID = encode(
    {
        "id": "deep-{n}",
        "type": "activity",
        "occurred_at": "2026-11-24T15:04:05Z",
        "lead": {"email": "deep@acme.io"},
        "activity": {"kind": "page_view", "properties": {"p": "@"}},
    }
)


@pytest.mark.parametrize("depth", [100, 500, 900, 990, 1_000, 5_000, 10_000])
@pytest.mark.parametrize(
    "place", ["body", "events", "event_field", "property", "attribute", "extra_key", "dicts"]
)
def test_deep_nesting(probe: IngestProbe, depth: int, place: str) -> None:
    lists = _nest(depth, b"[", b"]")
    dicts = _nest(depth, b'{"k":', b"}", b"1")
    event = VALID.replace(b"{n}", f"{place}-{depth}".encode())
    raw = {
        "body": lists,
        "events": b'{"events": ' + lists + b"}",
        "event_field": event.replace(b'"page_view"', lists),
        "property": event.replace(b'"@"', lists),
        "attribute": event.replace(b'.io"}', b'.io", "attributes": {"a": ' + lists + b"}}"),
        "extra_key": event.replace(b'"type"', b'"x": ' + lists + b', "type"'),
        "dicts": b'{"events": [' + event.replace(b'"@"', dicts) + b"]}",
    }[place]  # fmt: skip
    probe.check(raw)


@pytest.mark.parametrize("size", [999, 1_000, 1_001])
def test_batch_size_limits(probe: IngestProbe, size: int) -> None:
    event = VALID.decode().replace("{n}", "limit-{i}")
    raw = '{"events": [' + ",".join(event.replace("{i}", str(i)) for i in range(size)) + "]}"
    status = probe.check(raw.encode()).status_code
    assert status == (200 if size <= 1_000 else 400)


def test_a_valid_event_still_goes_in_after_all_that(probe: IngestProbe) -> None:
    """The fuzzing left the app healthy: a fresh, valid event is accepted and counted."""
    response = probe.check(VALID.replace(b"{n}", b"after-fuzz"))
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


@settings(FUZZ, max_examples=examples(150))
@given(event=valid_events())
def test_valid_events_are_never_rejected(probe: IngestProbe, event: dict[str, object]) -> None:
    """The generator's 'valid' seed really is valid, so the broken ones test what they claim."""
    assert probe.check(encode({"events": [event]})).json()["rejected"] == []


def test_the_ci_profile_sends_ten_thousand_bodies() -> None:
    """The figure the module promises: the budgets add up to 10,000+ bodies under ``ci``."""
    total = sum(at_ci * bodies for at_ci, bodies in BUDGETS.values())
    assert total >= 10_000, total
