"""Synthetic traffic for ``benchmarks.ingest`` and the raw SQLite baselines it is compared with.

Webhook traffic is a CRM's: one event in five creates or updates a lead with
firmographics, the rest are activities of leads drawn from a pool of 20,000.
The CSV file is an export sorted by lead: a ``lead.created`` row followed by
four activity rows per lead, in the contract's column names.
"""

from __future__ import annotations

import csv
import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.http.signature import sign
from bot.rules_admin import apply_rules
from bot.runtime import open_services
from bot.services import Services
from bot.settings import Settings
from scoring.rule_file import bundled_rules_text

SECRET = "bench-ingest-secret"
POOL = 20_000
START = datetime(2026, 11, 1, tzinfo=UTC)
TITLES = ("VP Sales", "Director of IT", "Engineer", "Head of Growth", "Analyst", "CTO")
INDUSTRIES = ("SaaS", "Software", "Retail", "Government", "Manufacturing")
REGIONS = ("EMEA", "AMER", "APAC")
ACTIVITIES = (
    ("page_view", "https://ex.com/pricing"),
    ("page_view", "https://ex.com/blog/post"),
    ("email_open", None),
    ("email_click", "https://ex.com/webinar"),
    ("webinar_attended", None),
    ("content_download", "https://ex.com/guide.pdf"),
    ("demo_request", None),
)
CSV_COLUMNS = (
    "id", "type", "occurred_at", "email", "name", "title", "company", "company_size",
    "industry", "country", "region", "activity_kind", "activity_url", "attributes.source",
)  # fmt: skip


def open_bench_services(db: Path) -> Services:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench-signing-secret",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=f"sqlite:///{db}",
        ingest_secret=SECRET,
    )
    services = open_services(settings)
    apply_rules(services, text=bundled_rules_text(), applied_by="benchmark")
    return services


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _email(lead: int) -> str:
    return f"lead{lead:07d}@company{lead % 5_000:04d}.example"


def _lead(lead: int, rng: random.Random) -> dict[str, Any]:
    return {
        "email": _email(lead),
        "name": f"Lead {lead}",
        "title": rng.choice(TITLES),
        "company": f"Company {lead % 5_000}",
        "company_size": rng.choice((20, 80, 250, 1200, 9000)),
        "industry": rng.choice(INDUSTRIES),
        "country": "DE",
        "region": rng.choice(REGIONS),
        "attributes": {"source": rng.choice(("ads", "webinar", "referral"))},
    }


def _event(key: str, lead: int, rng: random.Random, at: datetime) -> dict[str, Any]:
    if rng.random() < 0.2:
        return {"id": key, "type": "lead.updated", "occurred_at": _stamp(at),
                "lead": _lead(lead, rng)}  # fmt: skip
    return _activity_of(key, lead, rng, at)


def batch_events(batch: int, size: int) -> list[dict[str, Any]]:
    rng = random.Random(batch)
    at = START + timedelta(minutes=batch)
    return [_event(f"b{batch}-{i}", rng.randrange(POOL), rng, at) for i in range(size)]


def single_events(count: int) -> list[dict[str, Any]]:
    rng = random.Random(-1)
    return [
        _event(f"s-{i}", rng.randrange(POOL), rng, START + timedelta(seconds=i))
        for i in range(count)
    ]


ENGAGED = 100
"""Leads in the engaged-lead figure, each with a long history before it is measured."""


def engaged_history(per_lead: int, size: int) -> list[list[dict[str, Any]]]:
    """Batches that give each of ``ENGAGED`` leads ``per_lead`` activities over the past months."""
    rng = random.Random(11)
    events = [
        _activity_of(f"h{lead}-{n}", 1_000_000 + lead, rng, START - timedelta(hours=per_lead - n))
        for n in range(per_lead)
        for lead in range(ENGAGED)
    ]
    return [events[start : start + size] for start in range(0, len(events), size)]


def engaged_events(batch: int, size: int) -> list[dict[str, Any]]:
    """Newer activities of the engaged leads (five per lead in a batch of 500)."""
    rng = random.Random(-batch)
    at = START + timedelta(minutes=batch)
    return [_activity_of(f"e{batch}-{i}", 1_000_000 + i % ENGAGED, rng, at) for i in range(size)]


def _activity_of(key: str, lead: int, rng: random.Random, at: datetime) -> dict[str, Any]:
    kind, url = rng.choice(ACTIVITIES)
    activity: dict[str, Any] = {"kind": kind}
    if url:
        activity["url"] = url
    return {"id": key, "type": "activity", "occurred_at": _stamp(at),
            "lead": {"email": _email(lead)}, "activity": activity}  # fmt: skip


def signed_body(data: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(data).encode()
    stamp = str(int(time.time()))
    return body, {
        "Content-Type": "application/json",
        "X-Leadscore-Timestamp": stamp,
        "X-Leadscore-Signature": sign(SECRET, stamp, body),
    }


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for row in range(rows):
            lead, step = divmod(row, 5)
            at = _stamp(START + timedelta(hours=step, minutes=lead % 60))
            if step == 0:
                who = _lead(lead, rng)
                writer.writerow((f"r{row}", "lead.created", at, who["email"], who["name"],
                                 who["title"], who["company"], who["company_size"],
                                 who["industry"], who["country"], who["region"], "", "",
                                 who["attributes"]["source"]))  # fmt: skip
            else:
                kind, url = rng.choice(ACTIVITIES)
                writer.writerow((f"r{row}", "activity", at, _email(lead), "", "", "", "", "",
                                 "", "", kind, url or "", ""))  # fmt: skip


def _raw_db(path: Path, columns: int) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    names = ", ".join(f"c{i} TEXT" for i in range(1, columns))
    db.execute(f"CREATE TABLE rows (c0 TEXT PRIMARY KEY, {names})")
    return db


def _insert(db: sqlite3.Connection, rows: list[tuple[Any, ...]], per_transaction: int) -> float:
    marks = ", ".join("?" * len(rows[0]))
    started = time.perf_counter()
    for start in range(0, len(rows), per_transaction):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(f"INSERT INTO rows VALUES ({marks})", rows[start : start + per_transaction])
        db.execute("COMMIT")
    return len(rows) / (time.perf_counter() - started)


def raw_event_inserts(path: Path, events: list[dict[str, Any]], batch: int) -> dict[str, float]:
    """Plain sqlite3 inserting (id, type, time, email, JSON) rows: batched and one per commit."""
    rows = [(e["id"], e["type"], e["occurred_at"], e["lead"]["email"], json.dumps(e))
            for e in events]  # fmt: skip
    figures = {}
    if batch > 1:
        figures[f"executemany x{batch}"] = _insert(_raw_db(path, 5), rows, batch)
    one = path.with_suffix(".one.db")
    figures["one transaction per event"] = _insert(_raw_db(one, 5), rows, 1)
    return figures


def raw_csv_insert(csv_path: Path, path: Path) -> dict[str, float]:
    """Plain sqlite3 reading the CSV and inserting its rows, 2,000 per transaction."""
    db = _raw_db(path, len(CSV_COLUMNS))
    marks = ", ".join("?" * len(CSV_COLUMNS))
    started = time.perf_counter()
    count = 0
    with csv_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        while chunk := [row for _, row in zip(range(2_000), reader, strict=False)]:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT INTO rows VALUES ({marks})", chunk)
            db.execute("COMMIT")
            count += len(chunk)
    return {"csv.reader + executemany x2000": count / (time.perf_counter() - started)}
