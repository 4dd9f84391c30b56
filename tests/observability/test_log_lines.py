"""Operators read one logfmt line per event, and never a lead's email or a Slack token."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.logs import LogfmtFormatter, configure_logging
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import event_callback_body, signed_headers
from tests.conftest import INGEST_SECRET, SIGNING_SECRET
from tests.support.events import activity, lead_created
from tests.support.ingest_client import post_events
from tests.support.servers import running

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
TOKEN = re.compile(r"x(?:ox[a-z]|app)-\w")


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging changes the root logger; put it back for the other tests."""
    root, quiet = logging.getLogger(), logging.getLogger("apscheduler")
    handlers, level, quiet_level = list(root.handlers), root.level, quiet.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    quiet.setLevel(quiet_level)


def _metadata_event(event_type: str, payload: dict[str, Any], ts: str) -> dict[str, object]:
    return {
        "type": "message_metadata_posted",
        "app_id": "A0CRM",
        "bot_id": "B0CRM",
        "user_id": "U0CRM",
        "team_id": "T0001",
        "channel_id": "C0LEADS",
        "message_ts": ts,
        "event_ts": ts,
        "metadata": {"event_type": event_type, "event_payload": payload},
    }


def _post_slack_event(client: httpx.Client, url: str, event: dict[str, object], n: int) -> None:
    body = event_callback_body(event=event, event_id=f"Ev{n:03d}")
    headers = signed_headers(
        signing_secret=SIGNING_SECRET, body=body, content_type="application/json"
    )
    response = client.post(f"{url}/slack/events", content=body, headers=headers)
    assert response.status_code == 200


def test_a_day_of_ingest_logs_counts_and_timings_but_no_emails(
    sqlite_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    careless_key: dict[str, Any] = {"attributes": {"bo@beta.io": {"nested": True}}}
    events = [
        lead_created("ana@acme.io", title="VP Sales", company_size=250),
        activity("ana@acme.io", "demo_request"),
        lead_created("cy@gamma.io", event_id="crm-cy@gamma.io-1", **careless_key),
    ]
    server = create_server(sqlite_services, workers=False)
    with running(server.http) as url, httpx.Client(timeout=10) as client:
        response = post_events(client, url, events, INGEST_SECRET)
        assert response.json()["accepted"] == 2
        assert "bo@beta.io" in response.json()["rejected"][0]["error"]  # the sender sees it
        at = "2026-11-24T15:04:05Z"
        good = {
            "occurred_at": at,
            "lead": {"email": "di@delta.io"},
            "activity": {"kind": "webinar"},
        }
        _post_slack_event(client, url, _metadata_event("lead_activity", good, "1.000100"), 1)
        bad = {"occurred_at": at, "lead": {"email": "ed@eps.io", **careless_key}}
        _post_slack_event(client, url, _metadata_event("lead_created", bad, "1.000200"), 2)

    raw = LogfmtFormatter(masking=False)
    lines = [raw.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    for line in lines:
        assert not EMAIL.search(line), line
        assert not TOKEN.search(line), line
    batch = next(r for r in caplog.records if r.getMessage() == "ingest batch")
    assert (batch.source, batch.accepted, batch.rejected) == ("webhook", 2, 1)  # type: ignore[attr-defined]
    assert batch.first_rejected == "events[2]"  # type: ignore[attr-defined]
    assert "[email]: must be a string" in batch.first_error  # type: ignore[attr-defined]
    assert batch.duration_ms >= 0  # type: ignore[attr-defined]
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert "metadata event ingested" in messages
    assert "metadata event rejected" in messages


def test_a_careless_log_call_is_masked_before_it_is_written(root_logging: None) -> None:
    out = io.StringIO()
    configure_logging(stream=out)
    log = logging.getLogger("bot.careless")
    log.info("looked up %s with %s", "ana@acme.io", "xoxb-1234-5678-abcdef")
    log.warning("posting", extra={"lead_email": "bo@beta.io", "app_token": "xapp-1-A0-99-ff"})
    try:
        raise ValueError("no lead cy@gamma.io")
    except ValueError:
        log.exception("lookup failed")

    text = out.getvalue()
    assert not EMAIL.search(text)
    assert not TOKEN.search(text.replace("xox…[redacted]", ""))
    assert text.count("[email]") >= 3
    assert len(text.splitlines()) == 3  # the traceback stays on its event's line


def test_lines_are_logfmt_with_the_fields_as_keys(root_logging: None) -> None:
    out = io.StringIO()
    configure_logging(stream=out)
    logging.getLogger("bot.http.ingest").info(
        "ingest batch", extra={"source": "webhook", "accepted": 3, "duration_ms": 12.25}
    )
    line = out.getvalue().strip()
    assert re.fullmatch(
        r'ts=\S+Z level=info logger=bot\.http\.ingest msg="ingest batch" '
        r"source=webhook accepted=3 duration_ms=12\.25",
        line,
    )


def test_configure_logging_twice_keeps_one_handler(root_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(stream=first)
    configure_logging(stream=second)
    logging.getLogger("bot.twice").warning("once")
    assert first.getvalue() == ""
    assert second.getvalue().count("msg=once") == 1


def test_the_schedulers_per_run_chatter_stays_out_but_its_warnings_do_not(
    root_logging: None,
) -> None:
    out = io.StringIO()
    configure_logging(stream=out)
    logging.getLogger("apscheduler.executors.default").info("Running job x")
    logging.getLogger("apscheduler.scheduler").warning("Run time of job x was missed")
    assert "Running job" not in out.getvalue()
    assert "was missed" in out.getvalue()
