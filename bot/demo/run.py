"""``leadscore demo``: the real app, end to end, against the local Slack emulator.

Same code paths as production: the HTTP app with Bolt, the signed ingest
webhook, the outbox sender, slash commands, the decay job and the digest.
Only Slack is emulated and the scheduled jobs are triggered by the demo
(with time travel for decay) instead of waiting for their schedule.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.demo.render import message_panel
from bot.demo.slack_side import SlackSide
from bot.demo.steps import DemoContext, apply_bundled_rules, run_steps
from bot.demo.world import generate_world
from bot.runtime import open_services
from bot.settings import Settings
from bot.slack_emulator import SlackEmulator

MANAGER = "UMANAGER"


@dataclass(frozen=True)
class DemoOptions:
    keep: bool = False
    history_leads: int = 400
    out_dir: Path | None = None
    seed: int = 7


def demo_settings(*, emulator: SlackEmulator, database: Path) -> Settings:
    """Settings for a throw-away workspace: fresh secrets, SQLite in a temp folder."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-demo-" + secrets.token_hex(8),
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=emulator.api_url,
        database_url=f"sqlite:///{database}",
        ingest_secret=secrets.token_hex(16),
        manager_ids=frozenset({MANAGER}),
        digest_channel="C0DIGEST",
    )


def run_demo(options: DemoOptions, console: Console) -> Path:
    """Run the whole story; returns the path of the saved calibration chart."""
    started = time.monotonic()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="leadscore-demo-")))
        emulator = stack.enter_context(SlackEmulator())
        settings = demo_settings(emulator=emulator, database=workdir / "demo.db")
        services = open_services(settings)
        stack.callback(services.engine.dispose)
        context = DemoContext(
            services=services,
            emulator=emulator,
            console=console,
            world=generate_world(
                now=datetime.now(UTC), seed=options.seed, history_leads=options.history_leads
            ),
            out_dir=options.out_dir or Path(tempfile.gettempdir()) / "leadscore-demo",
            manager=MANAGER,
        )
        apply_bundled_rules(context)
        base_url = stack.enter_context(context.serve())
        side = SlackSide(
            base_url=base_url, signing_secret=settings.slack_signing_secret or "", emulator=emulator
        )
        stack.callback(side.close)
        chart = run_steps(context, side, base_url)
        console.print(
            f"\n[bold green]Demo finished[/] in {time.monotonic() - started:.1f} s. "
            f"Calibration chart: [bold]{chart}[/]"
        )
        if options.keep:
            keep_serving(context, base_url, console)
    return chart


def keep_serving(context: DemoContext, base_url: str, console: Console) -> None:
    """Leave the app up and show how to send it events; Ctrl-C stops everything."""
    secret = context.services.settings.ingest_secret
    body = (
        '{"id":"my-1","type":"activity","occurred_at":"\'$(date -u +%Y-%m-%dT%H:%M:%SZ)\'",'
        '"lead":{"email":"you@yourco.example","title":"VP Sales","company_size":300},'
        '"activity":{"kind":"demo_request"}}'
    )
    console.print(
        f"\n[bold]The app keeps running at {base_url}[/] (Ctrl-C to stop). Send it an event:\n"
        f"  SECRET={secret}\n"
        f"  BODY='{body}'\n"
        '  TS=$(date +%s); SIG="v1=$(printf \'v1:%s:%s\' "$TS" "$BODY" | '
        'openssl dgst -sha256 -hmac "$SECRET" | sed \'s/^.*= //\')"\n'
        f"  curl -sS {base_url}/ingest -H 'Content-Type: application/json' "
        '-H "X-Leadscore-Timestamp: $TS" -H "X-Leadscore-Signature: $SIG" -d "$BODY"\n'
        "Alerts the app posts are printed here as they reach the emulated Slack."
    )
    seen = len(context.emulator.calls_to("chat.postMessage"))
    try:
        while True:
            time.sleep(0.5)
            calls = context.emulator.calls_to("chat.postMessage")
            for call in calls[seen:]:
                show_post(console, call.params)
            seen = len(calls)
    except KeyboardInterrupt:
        console.print("stopping")


def show_post(console: Console, params: dict[str, Any], *, title: str | None = None) -> None:
    channel = params.get("channel", "?")
    console.print(message_panel(params, title=title or f"#{channel}"))
