"""Input JSON allows but a database cannot hold is one rejection, not a 500 for the batch.

Found by the ingest fuzzer: a lone surrogate (``"\\ud800"``) made every
batch containing it fail with a 500 on both databases, a NUL character did
on PostgreSQL, and ``1e999`` (infinity) in activity properties did on
PostgreSQL and was stored as non-standard JSON on SQLite. The good events
of the same batch must still go in, and the bad ones be kept as dead letters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from storage.engine import session_scope
from storage.events import count_events, dead_letters
from tests.conftest import INGEST_SECRET
from tests.support.events import activity
from tests.support.ingest_client import signed
from tests.support.servers import running

GOOD = activity("ana@acme.io", "page_view", event_id="good-1")
TEMPLATE = (
    '{"id": ID, "type": "activity", "occurred_at": "2026-11-24T15:04:05Z", '
    '"lead": {"email": EMAIL, "attributes": ATTRIBUTES}, '
    '"activity": {"kind": KIND, "properties": PROPERTIES}}'
)
DEFAULTS = {
    "ID": '"bad-1"',
    "EMAIL": '"bo@acme.io"',
    "ATTRIBUTES": "{}",
    "KIND": '"page_view"',
    "PROPERTIES": "{}",
}
BROKEN = [
    ("ID", '"\\ud800"', "id: "),
    ("KIND", '"a\\u0000b"', "activity.kind: contains a NUL"),
    ("EMAIL", '"a\\u0000@acme.io"', "lead.email: contains a NUL"),
    ("PROPERTIES", '{"n": 1e999}', "activity.properties.n: is not a finite number"),
    ("PROPERTIES", '{"\\udfff": 1}', "activity.properties"),
    ("PROPERTIES", '{"deep": [[{"x": "\\u0000"}]]}', "activity.properties.deep[0][0].x"),
    ("ATTRIBUTES", '{"k": "\\ud83d"}', "lead.attributes.k: contains an unpaired"),
]


def _broken_event(field: str, raw: str) -> str:
    text = TEMPLATE
    for name, default in DEFAULTS.items():
        text = text.replace(name, raw if name == field else default)
    return text


@pytest.fixture
def http(services: Services) -> Iterator[tuple[httpx.Client, str]]:
    with running(create_server(services, workers=False).http) as url, httpx.Client() as client:
        yield client, url


def test_unstorable_values_are_rejections_and_the_rest_goes_in(
    services: Services, http: tuple[httpx.Client, str]
) -> None:
    client, url = http
    broken = [
        _broken_event(field, value).replace("bad-1", f"bad-{i}")
        for i, (field, value, _) in enumerate(BROKEN, start=1)
    ]
    raw = ('{"events": [' + ", ".join([json.dumps(GOOD), *broken]) + "]}").encode()
    response = client.post(f"{url}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == list(range(1, len(BROKEN) + 1))
    for rejection, (_, _, message) in zip(body["rejected"], BROKEN, strict=True):
        assert message in rejection["error"]
    with session_scope(services.engine) as session:
        assert count_events(session=session) == 1
        kept = dead_letters(session=session)
        assert len(kept) == len(BROKEN)
        assert all(letter.payload and letter.error for letter in kept)
