"""Segment batches (``POST /v1/batch``) against ``/ingest`` batches of the same events, same run.

Run from the repository root: ``python -m benchmarks.segment_stream [--batches 40]``
(``python -m benchmarks.ingest`` runs it too, as its ``segment`` part).

The events are ``benchmarks.ingest``'s webhook traffic, each also written as
the Segment message a library would send for it: a ``lead.updated`` as an
``identify`` (``userId`` and ``traits.email`` with the firmographics as
reserved traits), a ``page_view`` as a ``page``, every other activity as a
``track`` named in title case ("Demo Request"); activities carry the
``userId`` and ``context.traits.email``, as analytics.js sends for an
identified visitor, and every batch its ``sentAt``: the moment it is sent,
as the library stamps it, so the server's clock correction stores each
event at its own time, as ``/ingest`` does (a ``sentAt`` from the events'
own past would read as a device clock a month slow and move every event to
the moment it arrived, which scores and alerts differently). The target: Segment
batches at least as fast per event as ``/ingest`` batches. Both run
alternately into new databases ``--repeat`` times (median), through the same
served app in a subprocess.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.http_load import _run, encode_request, read_response
from benchmarks.ingest_data import (
    batch_events,
    open_bench_services,
    raw_event_inserts,
    signed_body,
)
from benchmarks.served import ServedProcess

WRITE_KEY = "bench-segment-write-key"
BATCH = 500
_SIZES = {20: "1-50", 80: "51-200", 250: "201-500", 1200: "1001-5000", 9000: "5001+"}


def segment_message(event: dict[str, Any]) -> dict[str, Any]:
    """The Segment message a library sends for one contract event of the benchmark traffic."""
    lead = event["lead"]
    user = "user-" + lead["email"].partition("@")[0]
    common = {"userId": user, "messageId": event["id"], "timestamp": event["occurred_at"]}
    if event["type"] == "lead.updated":
        traits = {
            "email": lead["email"],
            "name": lead["name"],
            "title": lead["title"],
            "company": {
                "name": lead["company"],
                "employee_count": lead["company_size"],
                "industry": lead["industry"],
            },
            "address": {"country": lead["country"]},
            "region": lead["region"],
            "source": lead["attributes"]["source"],
        }
        return {"type": "identify", **common, "traits": traits}
    activity = event["activity"]
    context = {"traits": {"email": lead["email"]}}
    properties = {"url": activity["url"]} if "url" in activity else {}
    if activity["kind"] == "page_view":
        return {"type": "page", **common, "properties": properties, "context": context}
    name = activity["kind"].replace("_", " ").title()
    return {"type": "track", **common, "event": name, "properties": properties, "context": context}


def segment_body(events: list[dict[str, Any]]) -> tuple[bytes, dict[str, str]]:
    """A ``/v1/batch`` request as analytics-python sends it (sentAt now, HTTP Basic)."""
    messages = [segment_message(event) for event in events]
    sent_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    body = json.dumps({"batch": messages, "sentAt": sent_at}).encode()
    assert len(body) <= 500 * 1024, "a benchmark batch must stay within the Spec's 500 KB"
    token = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    return body, {"Content-Type": "application/json", "Authorization": f"Basic {token}"}


def _post(url: str, path: str, bodies: list[tuple[bytes, dict[str, str]]]) -> float:
    """Seconds to POST the bodies one after another on one keep-alive connection."""
    import asyncio
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    requests = [encode_request(parts.netloc, path, body, headers) for body, headers in bodies]

    async def drive() -> float:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        started = time.perf_counter()
        for request in requests:
            writer.write(request)
            status, answer = await read_response(reader)
            reply = json.loads(answer)
            if status != 200 or reply.get("rejected"):
                raise SystemExit(f"{path}: HTTP {status}: {answer[:300]!r}")
        elapsed = time.perf_counter() - started
        writer.close()
        return elapsed

    return _run(drive())


def _rate(work: Path, name: str, path: str, bodies: list[tuple[bytes, dict[str, str]]]) -> float:
    db = work / f"{name}.db"
    open_bench_services(db).engine.dispose()
    # the served app reads its settings from the environment too: the write key enables /v1/*
    os.environ["LEADSCORE_SEGMENT_WRITE_KEY"] = WRITE_KEY
    server = ServedProcess(
        "benchmarks.ingest", lambda port: [str(db), str(port)], stderr=subprocess.DEVNULL
    )
    with server as url:
        return len(bodies) * BATCH / _post(url, path, bodies)


def _alerts(db: Path) -> int:
    """Alerts a run queued: the same events stored at the same times queue the same alerts."""
    with closing(sqlite3.connect(db)) as connection:
        return int(connection.execute("SELECT count(*) FROM alerts").fetchone()[0])


def segment_figures(work: Path, *, batches: int = 40, repeat: int = 3) -> tuple[float, float]:
    """Median events/s of ``/ingest`` and of ``/v1/batch`` for the same events; both printed."""
    events = [batch_events(b, BATCH) for b in range(batches)]
    ingest_bodies = [signed_body({"events": batch}) for batch in events]
    ingest, segment = [], []
    for run in range(repeat):
        ingest.append(_rate(work, f"ingest{run}", "/ingest", ingest_bodies))
        segment_bodies = [segment_body(batch) for batch in events]  # sent now
        segment.append(_rate(work, f"segment{run}", "/v1/batch", segment_bodies))
    both = statistics.median(ingest), statistics.median(segment)
    kb = statistics.mean(len(body) for body, _ in segment_bodies) / 1024
    print(f"Segment /v1/batch, batches of {BATCH} ({kb:.0f} KB), median of {repeat}:"
          f" {both[1]:,.0f} events/s")  # fmt: skip
    print(f"    same-run /ingest batches of the same events: {both[0]:,.0f} events/s; "
          f"Segment is {both[1] / both[0]:.0%} of it (target >= 100%)")  # fmt: skip
    print(f"    runs: /ingest {' / '.join(f'{r:,.0f}' for r in ingest)}; "
          f"Segment {' / '.join(f'{r:,.0f}' for r in segment)}")  # fmt: skip
    print(f"    same work: alerts queued by /ingest {_alerts(work / 'ingest0.db'):,}, "
          f"by Segment {_alerts(work / 'segment0.db'):,}")  # fmt: skip
    raw = raw_event_inserts(work / "raw-segment.db", [e for b in events for e in b], BATCH)
    for name, value in raw.items():
        print(f"    raw sqlite3 baseline, {name:<30} {value:>10,.0f} rows/s     "
              f"Segment is {both[1] / value:.1%} of it")  # fmt: skip
    return both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="batches of 500 per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-segment-") as scratch:
        segment_figures(Path(scratch), batches=args.batches, repeat=args.repeat)


if __name__ == "__main__":
    main()
