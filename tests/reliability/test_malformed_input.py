"""Garbage headers, dates, ids and rule files: a 4xx or a rejection, never a 500 or a traceback.

Each case was once a 500 or an ERROR with a traceback: a non-ASCII byte in a
signature header (``compare_digest`` on ``str``), ``X-Slack-Request-Timestamp:
abc`` (slack_sdk's ``int()``), a date whose offset pushes it past year 1 or
9999 in UTC (``OverflowError``), a button value of 30 digits or ``²``, and rule
files nested 10,000 levels or holding a 5,000-digit number.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, block_actions_body, signed_headers
from storage.engine import session_scope
from storage.events import count_events, dead_letters
from tests.alerts.conftest import Sdr, sdr  # noqa: F401  (the fixture)
from tests.conftest import INGEST_SECRET, MANAGER, SIGNING_SECRET
from tests.support.events import activity, recent
from tests.support.ingest_client import signed
from tests.support.servers import running


class Tracebacks(logging.Handler):
    """Every ERROR record, and any record carrying a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(record)


@pytest.fixture
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
def served(services: Services) -> Iterator[str]:
    with running(create_server(services, workers=False).http) as url:
        yield url


def test_a_non_ascii_ingest_signature_is_401_and_the_connection_lives_on(
    served: str, tracebacks: Tracebacks
) -> None:
    parts = urlsplit(served)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    body = json.dumps(activity("ana@acme.io", "page_view", at=recent(1))).encode()
    good = signed(body, INGEST_SECRET)
    try:
        connection.putrequest("POST", "/ingest")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.putheader("X-Leadscore-Timestamp", good["X-Leadscore-Timestamp"])
        connection.putheader("X-Leadscore-Signature", b"v1=\xc3\xa9\xff" + b"0" * 60)
        connection.endheaders(body)
        refused = connection.getresponse()
        refused.read()
        assert refused.status == 401
        connection.request("POST", "/ingest", body=body, headers=good)
        accepted = connection.getresponse()
        assert (accepted.status, json.loads(accepted.read())["accepted"]) == (200, 1)
    finally:
        connection.close()
    assert not tracebacks.bad


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "abc"},
        {"X-Slack-Request-Timestamp": "1" * 400},
        {"X-Slack-Signature": "v0=é" + "0" * 63},
        {"X-Slack-Signature": ""},
        {"X-Slack-Signature": "v0=" + "0" * 64},
    ],
    ids=["letters", "huge", "non-ascii", "empty", "wrong"],
)
def test_garbage_slack_headers_are_401_and_the_body_is_not_logged(
    served: str,
    headers: dict[str, str],
    tracebacks: Tracebacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    body = "command=%2Fleadscore&text=secret.person%40acme.io&response_url=https%3A%2F%2Fhooks"
    sent = {**signed_headers(signing_secret=SIGNING_SECRET, body=body), **headers}
    encoded = {key: value.encode("utf-8") for key, value in sent.items()}
    with httpx.Client() as client:
        response = client.post(f"{served}/slack/events", content=body, headers=encoded)
    assert response.status_code == 401
    assert not tracebacks.bad
    assert "secret.person" not in caplog.text and "hooks" not in caplog.text


EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def test_dates_past_the_calendar_are_rejected_and_the_rest_is_stored(
    services: Services, served: str, tracebacks: Tracebacks
) -> None:
    good = [activity(f"lead{i}@acme.io", "page_view", at=recent(1)) for i in range(20)]
    bad = [
        {**activity("odd@acme.io", "page_view"), "id": f"odd-{n}", "occurred_at": stamp}
        for n, stamp in enumerate(EXTREMES)
    ]
    raw = json.dumps({"events": [*good[:10], *bad, *good[10:]]}).encode()
    with httpx.Client() as client:
        response = client.post(f"{served}/ingest", content=raw, headers=signed(raw, INGEST_SECRET))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] == 20
    assert [(r["index"], r["id"]) for r in answer["rejected"]] == [(10, "odd-0"), (11, "odd-1")]
    assert all("occurred_at" in r["error"] for r in answer["rejected"])
    with session_scope(services.engine) as session:
        assert count_events(session=session) == 20
        assert sorted(d.event_id or "" for d in dead_letters(session=session)) == [
            "odd-0",
            "odd-1",
        ]
    assert not tracebacks.bad


BUTTONS = ["alert_claim", "alert_snooze", "alert_not_fit", "digest_apply"]


@pytest.mark.parametrize("value", ["1" * 30, "²", "-1", "0", " 7", "9" * 19])
@pytest.mark.parametrize("action_id", BUTTONS)
def test_a_garbled_button_value_gets_a_polite_answer(
    sdr: Sdr,  # noqa: F811
    emulator: SlackEmulator,
    tracebacks: Tracebacks,
    value: str,
    action_id: str,
) -> None:
    response_url = emulator.new_response_url()
    body = block_actions_body(
        user_id=MANAGER if action_id == "digest_apply" else "U01",
        action_id=action_id,
        value=value,
        channel_id="C0EMEA",
        message_ts="1700000000.000100",
        response_url=response_url,
    )
    sdr._send(body, "application/x-www-form-urlencoded")
    deadline = time.monotonic() + 5
    while not emulator.responses() and time.monotonic() < deadline:
        time.sleep(0.02)
    (answer,) = emulator.responses()
    assert answer.params["response_type"] == "ephemeral"
    assert "no" in answer.params["text"].lower()
    assert not tracebacks.bad


RULE_FILES = {
    "nested": "name: x\nfit: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "long number": "name: x\nthresholds: {hot: " + "9" * 5_000 + ", warm: 40}\n",
    "huge": "# padding\n" * 5_000_000,
}


@pytest.mark.parametrize("name", list(RULE_FILES))
def test_hostile_rule_files_are_one_clear_refusal(tmp_path: Path, name: str) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(RULE_FILES[name])
    result = CliRunner().invoke(cli, ["rules", "check", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2
