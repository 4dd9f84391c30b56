"""A day in the life of the app leaves no email address or Slack token in its logs.

Leads are named by id in log lines; the redaction filter on our handler is
only a safety net. So this test reads the records themselves, as any handler
an operator adds (Sentry, a JSON shipper) would receive them: message,
arguments, extra fields and tracebacks, from every logger at INFO and above,
through ingest over HTTP (including rejected events quoting emails), a Slack
metadata event, alert delivery, a claim, and ``/leadscore`` lookups by email.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.alerts.alert_view import CLAIM
from bot.logs import LogfmtFormatter
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, block_actions_body
from tests.conftest import INGEST_SECRET, make_services, make_settings
from tests.reliability.figures import record
from tests.reliability.outbox_checks import alert_keys, wait_for_outbox, wait_until
from tests.security.slack_side import FORM, JSON, metadata_event, send, slash_command
from tests.support.events import activity, hot_lead, lead_created
from tests.support.ingest_client import post_events
from tests.support.servers import running

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
TOKEN = re.compile(r"x(?:ox[abpre]|app)-[A-Za-z0-9-]+")
APP_TOKEN = "xapp-1-A0001-42-appsecret"
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}


def everything_in(record: logging.LogRecord) -> str:
    """All a handler could print: message with arguments, extra fields, traceback."""
    parts = [record.getMessage()]
    parts += [f"{key}={value}" for key, value in record.__dict__.items() if key not in _STANDARD]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return " ".join(parts)


@pytest.fixture
def app(
    sqlite_database_url: str, emulator: SlackEmulator
) -> Iterator[tuple[httpx.Client, str, Services]]:
    settings = make_settings(sqlite_database_url, emulator, slack_app_token=APP_TOKEN)
    services = make_services(settings, emulator)
    with running(create_server(services).http) as url, httpx.Client(timeout=10) as http:
        yield http, url, services
    services.engine.dispose()


def _click_claim(http: httpx.Client, url: str, emulator: SlackEmulator, services: Services) -> None:
    with services.engine.connect() as connection:
        from sqlalchemy import select

        from storage.models import Alert

        alert = connection.execute(select(Alert).order_by(Alert.id)).first()
    assert alert is not None
    message = next(m for m in emulator.messages[alert.channel] if m["ts"] == alert.message_ts)
    body = block_actions_body(
        user_id="U01",
        action_id=CLAIM,
        value=str(alert.id),
        channel_id=alert.channel,
        message_ts=alert.message_ts,
        response_url=emulator.new_response_url(),
        message=message,
        block_id="alert_actions",
    )
    assert send(http, url, body, content_type=FORM).status_code == 200
    emulator.wait_for("chat.update", 1, timeout=10)


def _ask(http: httpx.Client, url: str, emulator: SlackEmulator, text: str) -> dict[str, Any]:
    response_url = emulator.new_response_url()
    body = slash_command(text, user_id="U01", response_url=response_url)
    assert send(http, url, body, content_type=FORM).status_code == 200
    path = response_url.removeprefix(emulator.base_url.rstrip("/"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for call in emulator.responses():
            if call.path == path:
                return call.params
        time.sleep(0.02)
    raise AssertionError(f"/leadscore {text} was not answered")


def test_a_full_day_logs_no_email_and_no_token(
    app: tuple[httpx.Client, str, Services],
    emulator: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http, url, services = app
    caplog.set_level(logging.INFO)
    batch = [
        lead_created("ana.ruiz@acme.io", name="Ana Ruiz", title="VP Sales", company="Acme"),
        hot_lead("ana.ruiz@acme.io"),
        activity("bo@beta.io", "page_view", url="https://ex.com/pricing?ref=bo@beta.io"),
        {"id": "bad-email", "type": "activity", "occurred_at": "2026-11-24T15:04:05Z",
         "lead": {"email": "not an email@acme.io"}, "activity": {"kind": "x"}},
        {"id": "bad-type", "type": "purchase", "occurred_at": "2026-11-24T15:04:05Z",
         "lead": {"email": "dan@delta.io", "attributes": {"owner@delta.io": 1}}},
    ]  # fmt: skip
    assert post_events(http, url, batch, INGEST_SECRET).json()["accepted"] == 3
    event = metadata_event(hot_lead("cy@gamma.io", event_id="meta-1"))
    assert send(http, url, event, content_type=JSON).status_code == 200
    broken = metadata_event({"id": "meta-2", "type": "activity", "lead": {"email": "eve@x.io"}})
    assert send(http, url, broken, content_type=JSON).status_code == 200
    wait_until(lambda: len(alert_keys(services.engine)) == 2, timeout=10, what="two alerts")
    wait_for_outbox(services.engine, emulator)
    _click_claim(http, url, emulator, services)
    answers = [
        _ask(http, url, emulator, text)
        for text in ("ana.ruiz@acme.io", "nobody@nowhere.io", "Acme", "top", "bogus words")
    ]
    assert "ana.ruiz@acme.io" in json.dumps(answers[0])  # the person who asked does see it

    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    leaks = [
        f"{r.name} {r.levelname}: {everything_in(r)[:300]}"
        for r in records
        if EMAIL.search(everything_in(r)) or TOKEN.search(everything_in(r))
    ]
    assert leaks == []
    formatted = [LogfmtFormatter().format(r) for r in records]
    assert not [line for line in formatted if EMAIL.search(line) or TOKEN.search(line)]
    record(
        "no secrets in logs",
        records_searched=len(records),
        loggers=len({r.name for r in records}),
        emails_or_tokens_found=len(leaks),
    )
