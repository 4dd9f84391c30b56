"""Send one body to ``/ingest`` and check every promise the contract makes about it.

Used by the fuzz tests, in-process (httpx over ASGI, fast) and over real
HTTP. One database serves every example: instead of resetting it, the probe
counts events and dead letters before and after each request, which is
both faster and a stronger check ("exactly what was accepted went in").
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from bot.http.ingest import MAX_BODY
from storage.models import DeadLetter, EventRecord
from tests.conftest import INGEST_SECRET
from tests.support.ingest_client import signed

ALLOWED = {200, 400, 413}
NAMES_A_FIELD = re.compile(
    r"\b(id|type|occurred_at|lead|email|activity|deal|event|stage|kind|amount|attributes|"
    r"properties|company_size|JSON)\b"
)

Send = Callable[[bytes, dict[str, str]], httpx.Response]


class ErrorLogs(logging.Handler):
    """Keeps ERROR records and any record carrying a traceback, from every logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@contextmanager
def watching_errors() -> Iterator[ErrorLogs]:
    handler = ErrorLogs()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def in_process(app: Any) -> tuple[Send, Callable[[], None]]:
    """A sender that drives the Starlette app through httpx's ASGI transport, and its closer."""
    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://fuzz")

    def send(raw: bytes, headers: dict[str, str]) -> httpx.Response:
        return loop.run_until_complete(client.post("/ingest", content=raw, headers=headers))

    def close() -> None:
        loop.run_until_complete(client.aclose())
        loop.close()

    return send, close


def over_http(client: httpx.Client, base_url: str) -> Send:
    def send(raw: bytes, headers: dict[str, str]) -> httpx.Response:
        return client.post(f"{base_url}/ingest", content=raw, headers=headers)

    return send


_COUNTS = select(
    select(func.count()).select_from(EventRecord).scalar_subquery(),
    select(func.count()).select_from(DeadLetter).scalar_subquery(),
)


def _count(engine: Engine) -> tuple[int, int]:
    """(events, dead letters), in one round trip: it runs twice per fuzzed body."""
    with engine.connect() as connection:
        events, dead = connection.execute(_COUNTS).one()
    return int(events), int(dead)


def items_in(raw: bytes) -> int:
    """How many items the server should have answered for, parsing as it does."""
    data = json.loads(raw)
    return len(data["events"]) if "events" in data else 1


@dataclass
class IngestProbe:
    engine: Engine
    send: Send
    errors: ErrorLogs
    statuses: dict[int, int] = field(default_factory=dict)
    items: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    def check(self, raw: bytes) -> httpx.Response:
        """Post ``raw`` with a valid signature and assert the contract on the outcome."""
        started = time.process_time()
        try:
            return self._check(raw)
        finally:
            self.seconds += time.process_time() - started

    def _check(self, raw: bytes) -> httpx.Response:
        before = _count(self.engine)
        response = self.send(raw, signed(raw, INGEST_SECRET))
        events, dead = (a - b for a, b in zip(_count(self.engine), before, strict=True))
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        assert status in ALLOWED, f"{status} for {raw[:300]!r}: {response.text[:500]}"
        assert "Traceback" not in response.text
        assert not self.errors.records, self.errors.records[0].getMessage()
        body = response.json()
        if status != 200:
            assert isinstance(body.get("error"), str) and body["error"].strip()
            assert (events, dead) == (0, 0), f"a {status} stored {events} events, {dead} dead"
            if status == 413:
                assert len(raw) > MAX_BODY
            return response
        self._check_results(raw, body, events, dead)
        return response

    def _check_results(self, raw: bytes, body: dict[str, Any], events: int, dead: int) -> None:
        expected = items_in(raw)
        rejected = body["rejected"]
        assert body["accepted"] + body["duplicates"] + len(rejected) == expected, body
        assert events == body["accepted"], f"stored {events} events, answered {body}"
        # Dead letters are idempotent: a rejection already kept (same input) adds no row.
        assert dead <= len(rejected), f"kept {dead} dead letters for {len(rejected)} rejections"
        if rejected and dead == 0:
            assert self._all_kept_before(rejected), f"rejections {rejected[:3]} were not kept"
        indices = [r["index"] for r in rejected]
        assert len(set(indices)) == len(indices) and all(0 <= i < expected for i in indices)
        for rejection in rejected:
            assert rejection["error"].strip(), rejection
            assert NAMES_A_FIELD.search(rejection["error"]), rejection["error"]
        self.items += expected
        self.accepted += body["accepted"]
        self.duplicates += body["duplicates"]
        self.rejected += len(rejected)

    def _all_kept_before(self, rejected: list[dict[str, Any]]) -> bool:
        ids = [r["id"] for r in rejected if r.get("id") is not None]
        if not ids:
            return True
        query = select(func.count(func.distinct(DeadLetter.event_id))).where(
            DeadLetter.event_id.in_(ids)  # type: ignore[union-attr]
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one()) == len(set(ids))

    def figures(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "status_200": self.statuses.get(200, 0),
            "status_400": self.statuses.get(400, 0),
            "status_413": self.statuses.get(413, 0),
            "items": self.items,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "5xx": sum(n for s, n in self.statuses.items() if s >= 500),
            "cpu_seconds_in_requests": round(self.seconds, 1),
        }
