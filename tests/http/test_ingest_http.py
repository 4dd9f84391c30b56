"""A CRM sends signed batches to /ingest over real HTTP and sees per-item results."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from storage.engine import session_scope
from storage.events import count_events, dead_letters
from storage.lookup import lead_by_email
from tests.conftest import INGEST_SECRET
from tests.support.events import activity, hot_lead, lead_created, recent
from tests.support.ingest_client import post_events, signed
from tests.support.servers import running


@pytest.fixture
def server(services: Services) -> Iterator[tuple[httpx.Client, str, Services]]:
    app = create_server(services, workers=False)
    with running(app.http) as base_url, httpx.Client(timeout=10) as client:
        yield client, base_url, services


def _score(services: Services, email: str) -> float:
    with session_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None
        return lead.score


def test_good_batch_is_stored_and_scored(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, services = server
    events = [
        lead_created(
            "ana@acme.io", title="VP Sales", company_size=250, company="Acme", at=recent(3)
        ),
        activity("ana@acme.io", "page_view", url="https://ex.com/pricing", at=recent(2)),
        activity("ana@acme.io", "demo_request", at=recent(1)),
    ]
    response = post_events(client, url, events, INGEST_SECRET)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert _score(services, "ana@acme.io") == 20 + 15 + 10 + 50


def test_single_event_body_is_accepted(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, services = server
    event = activity("bo@beta.io", "demo_request", at=recent(1))
    response = post_events(client, url, event, INGEST_SECRET)
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert _score(services, "bo@beta.io") == 50


def test_mixed_batch_keeps_the_good_and_dead_letters_the_bad(
    server: tuple[httpx.Client, str, Services],
) -> None:
    client, url, services = server
    events = [
        activity("ana@acme.io", "demo_request", event_id="good-1"),
        {"id": "bad-1", "type": "activity", "lead": {"email": "x@y.io"}},
        {
            "id": "bad-2",
            "type": "activity",
            "occurred_at": "2026-11-24T15:04:05Z",
            "lead": {"email": "not-an-email"},
            "activity": {"kind": "page_view"},
        },
        "not an object",
        activity("cy@gamma.io", "page_view", event_id="good-2"),
    ]
    body = post_events(client, url, events, INGEST_SECRET).json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3]
    assert body["rejected"][0]["id"] == "bad-1"
    assert "occurred_at" in body["rejected"][0]["error"]
    assert "lead.email" in body["rejected"][1]["error"]
    assert "JSON object" in body["rejected"][2]["error"]
    with session_scope(services.engine) as session:
        kept = dead_letters(session=session)
        assert {d.event_id for d in kept} == {"bad-1", "bad-2", None}
        assert all(d.error for d in kept)
        assert count_events(session=session) == 2


def test_same_event_four_times_counts_once(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, services = server
    event = activity("ana@acme.io", "demo_request", event_id="evt-repeat", at=recent(1))
    first = post_events(client, url, [event, event], INGEST_SECRET).json()
    again = [post_events(client, url, [event], INGEST_SECRET).json() for _ in range(2)]
    assert first == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert again == [{"accepted": 0, "duplicates": 1, "rejected": []}] * 2
    assert _score(services, "ana@acme.io") == 50


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"X-Leadscore-Timestamp": "{now}", "X-Leadscore-Signature": "v1=deadbeef"}, "match"),
        ({"X-Leadscore-Timestamp": "{stale}", "X-Leadscore-Signature": "{stale_sig}"}, "300 s"),
    ],
)
def test_unsigned_wrongly_signed_or_stale_is_401_and_stores_nothing(
    server: tuple[httpx.Client, str, Services], headers: dict[str, str], reason: str
) -> None:
    client, url, services = server
    body = json.dumps({"events": [hot_lead("ana@acme.io")]}).encode()
    stale = int(time.time()) - 301
    values = {
        "now": str(int(time.time())),
        "stale": str(stale),
        "stale_sig": signed(body, INGEST_SECRET, timestamp=stale)["X-Leadscore-Signature"],
    }
    sent = {key: value.format(**values) for key, value in headers.items()}
    response = client.post(f"{url}/ingest", content=body, headers=sent)
    assert response.status_code == 401
    assert reason in response.json()["error"]
    with session_scope(services.engine) as session:
        assert count_events(session=session) == 0


def test_tampered_body_is_401(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, _ = server
    body = json.dumps({"events": [hot_lead("ana@acme.io")]}).encode()
    headers = signed(body, INGEST_SECRET)
    response = client.post(f"{url}/ingest", content=body.replace(b"ana", b"eve"), headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"events": []}', "1 to 1,000"),
        (b'{"events": {"id": 1}}', "1 to 1,000"),
        (b'{"events": [NaN]}', "NaN"),
    ],
)
def test_malformed_body_is_400(
    server: tuple[httpx.Client, str, Services], raw: bytes, message: str
) -> None:
    client, url, _ = server
    response = client.post(f"{url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_more_than_1000_events_is_400(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, _ = server
    events = [activity(f"l{i}@x.io") for i in range(1_001)]
    assert post_events(client, url, events, INGEST_SECRET).status_code == 400


def test_body_over_5_mib_is_413(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, _ = server
    raw = b'{"events": [' + b" " * (5 * 1024 * 1024) + b"]}"
    response = client.post(f"{url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
    assert response.status_code == 413


def test_healthz_reports_the_database(server: tuple[httpx.Client, str, Services]) -> None:
    client, url, _ = server
    response = client.get(f"{url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
