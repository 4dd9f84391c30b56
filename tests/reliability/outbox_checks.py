"""What reached Slack, counted by alert: the evidence for "alerted once, never twice"."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from bot.slack_emulator import RecordedCall, SlackEmulator
from storage.models import Alert, EventRecord


def _metadata(call: RecordedCall) -> dict[str, Any]:
    raw = call.params.get("metadata") or {}
    if isinstance(raw, str):
        raw = json.loads(raw)
    return raw if isinstance(raw, dict) else {}


def alert_key_of(call: RecordedCall) -> str | None:
    payload = _metadata(call).get("event_payload") or {}
    key = payload.get("alert_key")
    return str(key) if key is not None else None


def delivered_alerts(emulator: SlackEmulator) -> Counter[str]:
    """alert_key -> how many times Slack accepted a top-level post of it."""
    posted: Counter[str] = Counter()
    for call in emulator.calls_to("chat.postMessage"):
        if call.params.get("thread_ts") or call.answered_status != 200:
            continue
        if not (call.response or {}).get("ok"):
            continue
        key = alert_key_of(call)
        if key is not None:
            posted[key] += 1
    return posted


def alert_keys(engine: Engine) -> dict[str, str]:
    """alert_key -> status, for every alert in the outbox."""
    with engine.connect() as connection:
        rows = connection.execute(select(Alert.alert_key, Alert.status))
        return {str(key): str(status) for key, status in rows}


def alerted_leads(engine: Engine) -> Counter[int]:
    """Lead alerts by lead (account alerts, which also name their best lead, left out)."""
    query = select(Alert.lead_id).where(Alert.account_id.is_(None))  # type: ignore[union-attr]
    with engine.connect() as connection:
        return Counter(int(lead) for (lead,) in connection.execute(query))


def event_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(EventRecord)).scalar_one())


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll a condition for work done by background threads or other processes."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)


def wait_for_outbox(engine: Engine, emulator: SlackEmulator, *, timeout: float = 30) -> None:
    """Every alert sent and Slack holding a post for each: after this the counts are final."""

    def settled() -> bool:
        statuses = alert_keys(engine)
        return all(s == "sent" for s in statuses.values()) and set(statuses) <= set(
            delivered_alerts(emulator)
        )

    wait_until(settled, timeout=timeout, what="the outbox to deliver every alert")


def duplicates_and_losses(engine: Engine, emulator: SlackEmulator) -> tuple[int, int]:
    """(extra posts beyond one per alert, alerts with no post)."""
    posted = delivered_alerts(emulator)
    keys = alert_keys(engine)
    extra = sum(n - 1 for n in posted.values() if n > 1)
    lost = sum(1 for key in keys if posted.get(key, 0) == 0)
    return extra, lost
