"""The demo's story, one function per scene, each showing what a person would see."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bot.alerts.alert_view import CLAIM
from bot.background import make_workers
from bot.demo.render import message_panel
from bot.demo.serving import serving
from bot.demo.slack_side import SlackSide
from bot.demo.world import DemoWorld
from bot.http.signature import sign
from bot.ingest import Item
from bot.rules_admin import apply_rules
from bot.scheduler import SchedulerWorker
from bot.scheduler.jobs import decay_now
from bot.scheduler.periods import iso_week
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from scoring.rule_file import bundled_rules_text
from storage.engine import read_scope
from storage.lookup import lead_by_email

ALERT_CHANNELS = ("C0EMEA", "C0AMER", "C0SDR")


@dataclass
class DemoContext:
    services: Services
    emulator: SlackEmulator
    console: Console
    world: DemoWorld
    out_dir: Path
    manager: str

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """The production HTTP app and outbox sender; the demo triggers the scheduled jobs."""
        server = create_server(self.services, workers=False)
        server.workers[:] = [
            w for w in make_workers(self.services) if not isinstance(w, SchedulerWorker)
        ]
        with serving(server.http) as base_url:
            yield base_url

    def scene(self, title: str) -> None:
        self.console.rule(f"[bold]{title}")


def run_steps(context: DemoContext, side: SlackSide, base_url: str) -> Path:
    """Scenes 2-7; scene 1 (the rules) runs before the app starts, as with `serve`."""
    backfill_history(context)
    alerts = stream_live_events(context, base_url)
    claim_first_alert(context, side, alerts)
    look_up(context, side)
    decay_with_time_travel(context)
    return weekly_digest(context)


def apply_bundled_rules(context: DemoContext) -> None:
    context.scene("1. The sales-ops lead applies the bundled rule set")
    outcome = apply_rules(context.services, text=bundled_rules_text(), applied_by="demo")
    context.console.print(f"rule set stored as version {outcome.version}")


def backfill_history(context: DemoContext) -> None:
    context.scene("2. Five months of CRM history are backfilled (scored, no alerts)")
    events = context.world.history
    started = time.monotonic()
    accepted = 0
    for start in range(0, len(events), 500):
        chunk = events[start : start + 500]
        items = [Item(position=f"history[{start + i}]", data=e) for i, e in enumerate(chunk)]
        accepted += context.services.ingestor.ingest(items, source="csv", alert=False).accepted
    closed = sum(
        1 for e in events if e["type"] == "deal.updated" and "closed" in e["deal"]["stage"]
    )
    context.console.print(
        f"{accepted:,} events for {len(context.world.people) - 4:,} leads in "
        f"{time.monotonic() - started:.1f} s, including {closed} closed deals"
    )


def stream_live_events(context: DemoContext, base_url: str) -> list[dict[str, Any]]:
    context.scene("3. Today's engagement arrives on the signed webhook; hot leads alert")
    secret = context.services.settings.ingest_secret or ""
    before = {
        channel: len(context.emulator.messages.get(channel, [])) for channel in ALERT_CHANNELS
    }
    with httpx.Client(timeout=30) as http:
        body = json.dumps({"events": context.world.live}).encode()
        stamp = str(int(time.time()))
        response = http.post(
            f"{base_url}/ingest",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Leadscore-Timestamp": stamp,
                "X-Leadscore-Signature": sign(secret, stamp, body),
            },
        )
    context.console.print(f"POST /ingest -> {response.status_code} {response.json()}")
    context.emulator.wait_for("chat.postMessage", count=3, timeout=20)
    alerts = []
    for channel in ALERT_CHANNELS:
        for message in context.emulator.messages.get(channel, [])[before[channel] :]:
            context.console.print(message_panel(message, title=f"#{channel}"))
            alerts.append({**message, "channel": channel})
    return alerts


def claim_first_alert(context: DemoContext, side: SlackSide, alerts: list[dict[str, Any]]) -> None:
    context.scene("4. An SDR clicks Claim: the alert is updated in place")
    first = alerts[0]
    claimer = _assignee(first) or "U0SDR1"
    updates = len(context.emulator.calls_to("chat.update"))
    side.click(first, CLAIM, user=claimer, channel=first["channel"])
    call = context.emulator.wait_for("chat.update", count=updates + 1, timeout=10)[-1]
    context.console.print(message_panel(call.params, title=f"#{first['channel']} (updated)"))


def _assignee(message: dict[str, Any]) -> str | None:
    text = json.dumps(message.get("blocks", []))
    marker = text.find("<@")
    return text[marker + 2 : text.find(">", marker)] if marker >= 0 else None


def look_up(context: DemoContext, side: SlackSide) -> None:
    context.scene("5. /leadscore: why is Ana hot, and who else should we call?")
    for text in ("ana.ruiz@acme.example", "top 10"):
        context.console.print(f"[dim]/leadscore {text}[/]")
        answer = side.slash(text, user="U0SDR1")
        context.console.print(message_panel(answer, title="only visible to you", style="blue"))


def decay_with_time_travel(context: DemoContext) -> None:
    context.scene("6. Four quiet months later: behaviour decays, fit does not")
    services = context.services
    emails = [person.email for person in context.world.people[-4:]]
    before = _scores(services, emails)
    later = services.clock() + timedelta(days=120)
    stats = decay_now(services, later)
    after = _scores(services, emails)
    table = Table("lead", "fit", "behaviour today", "score today", "in 4 months", "band")
    for email in emails:
        fit, behaviour, score, _ = before[email]
        table.add_row(
            email,
            f"{fit:.0f}",
            f"{behaviour:.0f}",
            f"{score:.0f}",
            f"{after[email][2]:.0f}",
            f"{before[email][3]} → {after[email][3]}",
        )
    context.console.print(table)
    context.console.print(
        f"one set-based pass at {later:%Y-%m-%d}: {stats.decayed:,} leads decayed, "
        f"{stats.cooled:,} cooled below warm (they will alert again if they heat up)"
    )


def _scores(services: Services, emails: list[str]) -> dict[str, tuple[float, float, float, str]]:
    with read_scope(services.engine) as session:
        leads = [lead_by_email(session=session, email=email) for email in emails]
        return {
            lead.email: (lead.fit, lead.behavior, lead.score, lead.band)
            for lead in leads
            if lead is not None
        }


def weekly_digest(context: DemoContext) -> Path:
    context.scene("7. Monday 09:00: the calibration digest reaches the managers")
    from bot.digest.post import post_weekly_digest

    services = context.services
    now = services.clock()
    post_weekly_digest(services, period=iso_week(now.date()), now=now)
    channel = services.settings.digest_channel or ""
    for message in context.emulator.messages.get(channel, []):
        context.console.print(message_panel(message, title=f"#{channel}", style="magenta"))
    context.out_dir.mkdir(parents=True, exist_ok=True)
    chart = context.out_dir / "calibration-chart.png"
    files = [f for f in context.emulator.files.values() if f.get("content")]
    if files:
        chart.write_bytes(files[-1]["content"])
    return chart
