"""How fast ``/leadscore`` answers with 1,000,000 leads in SQLite (target: p95 <= 150 ms).

Run from the repository root: ``python -m benchmarks.commands [--db PATH]``.
The clock runs from the moment the signed slash-command request is sent to
the moment the local Slack emulator receives the answer on the command's
``response_url`` (ack, lazy listener, queries, Block Kit, the POST back). The
baseline in the same run is ``/leadscore help`` through the very same path,
which touches no lead, so the difference is what the lead lookups cost.

The scratch database is built with ``executemany`` (about a minute); pass
``--db`` to keep it and reuse it on the next run.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from slack_sdk import WebClient

from bot.rules_admin import apply_rules
from bot.runtime import open_services
from bot.server import create_server
from bot.services import Services
from bot.settings import Settings
from bot.slack_emulator import RESPONSE_URL, SlackEmulator, signed_headers, slash_command_body
from scoring.rule_file import bundled_rules_text

LEADS = 1_000_000
COMPANIES = 50_000
ACTIVE_EVERY = 10  # every 10th lead has a history of activities
REQUESTS = 200
WARMUP = 20
TARGET_P95_MS = 150.0
SECRET = "bench-signing-secret"
SEED = 20261125
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KINDS = ("page_view", "email_open", "webinar_attended", "content_download", "demo_request")
TITLES = ("VP Sales", "Director of IT", "Engineer", "Head of Growth", "Analyst", "CTO")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def email_of(i: int) -> str:
    return f"lead{i:07d}@company{i % COMPANIES:05d}.example"


def _lead_row(i: int, rng: random.Random) -> tuple[Any, ...]:
    score = round(rng.betavariate(1.3, 4.0) * 100, 2)
    band = "hot" if score >= 70 else "warm" if score >= 40 else "cold"
    company = f"Company {i % COMPANIES:05d}"
    last = _stamp(NOW - timedelta(hours=rng.uniform(1, 2000))) if i % ACTIVE_EVERY == 0 else None
    fit = min(score, 35.0)
    return (
        email_of(i), f"Lead {i}", rng.choice(TITLES), company, company.casefold(),
        rng.choice((50, 250, 1000)), "SaaS", "DE", rng.choice(("EMEA", "AMER")), "{}", "{}",
        _stamp(NOW - timedelta(days=200)), fit, score - fit, 0.0, score - fit, score, band,
        last, _stamp(NOW), 1, 1, 0,
    )  # fmt: skip


LEAD_COLUMNS = (
    "email, name, title, company, company_key, company_size, industry, country, region, "
    "attributes, field_times, created_at, fit, behavior_decaying, behavior_fixed, behavior, "
    "score, band, last_activity_at, scored_at, rule_set_version, alert_armed, alert_cycle"
)


def load(path: Path) -> None:
    """1,000,000 leads, a history for every 10th, and claimed alerts for hot ones."""
    rng = random.Random(SEED)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    marks = ",".join("?" * 23)
    started = time.perf_counter()
    with db:
        for start in range(0, LEADS, 100_000):
            rows = [_lead_row(i, rng) for i in range(start, start + 100_000)]
            db.executemany(f"INSERT INTO leads ({LEAD_COLUMNS}) VALUES ({marks})", rows)
        activities = []
        for lead_id in range(1, LEADS + 1, ACTIVE_EVERY):
            for n in range(rng.randint(1, 8)):
                at = _stamp(NOW - timedelta(hours=rng.uniform(1, 2000)))
                kind = rng.choice(KINDS)
                url = "https://ex.com/pricing" if kind == "page_view" and n % 2 else None
                activities.append((lead_id, f"bench-{lead_id}-{n}", kind, url, "{}", at))
        db.executemany(
            "INSERT INTO activities (lead_id, event_id, kind, url, properties, occurred_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            activities,
        )
        hot = db.execute("SELECT id FROM leads WHERE band = 'hot' ORDER BY id LIMIT 5000")
        alerts = [
            (f"bench-{lead_id}-0", lead_id, "C0SDR", 80.0, "sent", _stamp(NOW),
             f"U{lead_id % 7:02d}" if lead_id % 2 else None, _stamp(NOW) if lead_id % 2 else None)
            for (lead_id,) in hot
        ]  # fmt: skip
        db.executemany(
            "INSERT INTO alerts (alert_key, lead_id, channel, score, status, created_at, "
            "claimed_by, claimed_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            alerts,
        )
    db.execute("ANALYZE")
    db.close()
    print(
        f"loaded {LEADS:,} leads, {len(activities):,} activities, {len(alerts):,} alerts "
        f"in {time.perf_counter() - started:.0f} s"
    )


def has_leads(path: Path) -> bool:
    with sqlite3.connect(path) as db:
        return bool(db.execute("SELECT 1 FROM leads LIMIT 1").fetchone())


def services_for(path: Path, emulator: SlackEmulator) -> Services:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=emulator.api_url,
        database_url=f"sqlite:///{path}",
    )
    client = WebClient(token="xoxb-bench", base_url=emulator.api_url, timeout=10)
    services = open_services(settings, client=client, clock=lambda: NOW)
    apply_rules(services, text=bundled_rules_text(), applied_by="benchmark")
    return services


@contextmanager
def serving(app: Any) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Slack:
    """Signed slash commands in, answers timed at the emulator."""

    def __init__(self, http: httpx.Client, url: str, emulator: SlackEmulator) -> None:
        self.http, self.url, self.emulator = http, url, emulator
        self.sent = 0

    def command(self, text: str) -> tuple[float, float, dict[str, Any]]:
        """(ms to the ack, ms to the response_url POST, the answer)."""
        response_url = self.emulator.new_response_url()
        body = slash_command_body(text=text, user_id="USDR", response_url=response_url)
        headers = signed_headers(signing_secret=SECRET, body=body)
        started = time.monotonic()
        reply = self.http.post(f"{self.url}/slack/events", content=body, headers=headers)
        acked = time.monotonic()
        assert reply.status_code == 200, reply.text
        self.sent += 1
        call = self.emulator.wait_for(RESPONSE_URL, count=self.sent, timeout=30)[-1]
        assert call.path.endswith(response_url.rsplit("/", 1)[1])
        return (acked - started) * 1000, (call.at - started) * 1000, call.params


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(slack: Slack, texts: list[str]) -> tuple[list[float], list[float], dict[str, Any]]:
    for text in texts[:WARMUP]:
        slack.command(text)
    acks: list[float] = []
    answers: list[float] = []
    last: dict[str, Any] = {}
    for text in texts[WARMUP:]:
        ack, answer, last = slack.command(text)
        acks.append(ack)
        answers.append(answer)
    return acks, answers, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="keep the scratch database here (reused)")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="leadscore-bench-")
    path = args.db or Path(scratch.name) / "bench.db"
    rng = random.Random(SEED + 1)
    n = args.requests + WARMUP
    emails = [email_of(rng.randrange(0, LEADS, ACTIVE_EVERY)) for _ in range(n)]
    cases = {
        "/leadscore help (baseline)": (["help"] * n, "Try /leadscore"),
        "/leadscore <email>": (emails, ": score "),
        "/leadscore top 10": (["top 10"] * n, "Top 10 leads"),
        "/leadscore top 10 hot": (["top 10 hot"] * n, "Top 10 hot leads"),
        "/leadscore <company> (20 leads)": ([f"company {i:05d}" for i in range(n)], "20 leads"),
        "/leadscore <misspelt company>": ([f"compnay {i:05d}" for i in range(n)], "No company"),
    }
    with SlackEmulator() as emulator:
        services = services_for(path, emulator)
        if not has_leads(path):
            load(path)
        server = create_server(services, workers=False)
        with serving(server.http) as url, httpx.Client(timeout=30) as http:
            slack = Slack(http, url, emulator)
            print(f"{args.requests} requests each after {WARMUP} warm-up; milliseconds")
            print(f"{'command':34} {'ack p95':>8} {'p50':>7} {'p95':>7} {'max':>7}")
            results = {}
            for name, (texts, expected) in cases.items():
                acks, answers, last = measure(slack, texts)
                assert expected in last["text"], (name, last["text"])
                results[name] = answers
                print(
                    f"{name:34} {percentile(acks, 0.95):8.1f} "
                    f"{statistics.median(answers):7.1f} {percentile(answers, 0.95):7.1f} "
                    f"{max(answers):7.1f}"
                )
            print("last answer:", json.dumps(last, ensure_ascii=False)[:300], "…")
    services.engine.dispose()
    worst = max(percentile(results[k], 0.95) for k in ("/leadscore <email>", "/leadscore top 10"))
    print("PASS" if worst <= TARGET_P95_MS else f"FAIL: p95 {worst:.1f} ms > {TARGET_P95_MS} ms")


if __name__ == "__main__":
    main()
