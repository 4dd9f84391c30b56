"""An operator starts ``leadscore serve``: wrong settings are one line, Socket Mode works."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from bot.cli.serve import serve
from bot.slack_emulator import SlackEmulator, event_callback_body
from storage.engine import make_engine, session_scope
from storage.lookup import lead_by_email
from tests.support.servers import free_port
from tests.support.socket_slack import GOOD_APP_TOKEN, SocketSlack

VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture(autouse=True)
def clean_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No .env, no stray variables, a throw-away database; root logging restored after."""
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADSCORE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    root, quiet = logging.getLogger(), logging.getLogger("apscheduler")
    handlers, level, quiet_level = list(root.handlers), root.level, quiet.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    quiet.setLevel(quiet_level)


def _serve(*args: str, **env: str) -> Result:
    return CliRunner().invoke(serve, list(args), env=env, catch_exceptions=False)


def _one_line_error(result: Result, *, logged_before: bool = False) -> str:
    """The error line; nothing else on stderr unless start-up had already begun logging."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    if logged_before:
        assert all(line.startswith("ts=") for line in lines[:-1]), result.stderr
    else:
        assert len(lines) == 1, result.stderr
    assert lines[-1].startswith("error: "), result.stderr
    return lines[-1]


def test_socket_mode_without_an_app_token_names_it() -> None:
    line = _one_line_error(_serve("--socket-mode", SLACK_BOT_TOKEN="xoxb-1-2-abc"))
    assert "SLACK_APP_TOKEN is not set" in line
    assert "connections:write" in line


def test_an_app_token_with_the_wrong_prefix_is_refused() -> None:
    result = _serve("--socket-mode", SLACK_BOT_TOKEN="xoxb-1-2-abc", SLACK_APP_TOKEN="xoxb-1-2-x")
    assert "SLACK_APP_TOKEN must be an app-level token starting with xapp-" in _one_line_error(
        result
    )


def test_http_mode_without_a_signing_secret_names_it() -> None:
    line = _one_line_error(_serve(SLACK_BOT_TOKEN="xoxb-1-2-abc"))
    assert "SLACK_SIGNING_SECRET is not set" in line


def test_a_bot_token_slack_refuses_stops_start_up(emulator: SlackEmulator) -> None:
    result = _serve(
        SLACK_BOT_TOKEN="xoxb-invalid",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=emulator.api_url,
    )
    line = _one_line_error(result)
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in line
    assert "xoxb-invalid" not in result.output


def test_an_app_token_slack_refuses_stops_start_up() -> None:
    with SocketSlack().running() as slack:
        result = _serve(
            "--socket-mode",
            SLACK_BOT_TOKEN="xoxb-1-2-abc",
            SLACK_APP_TOKEN="xapp-1-A0001-1-revoked",
            SLACK_API_URL=slack.api_url,
        )
    line = _one_line_error(result, logged_before=True)
    assert "Slack refused the Socket Mode connection (invalid_auth)" in line


def _metadata_event(email: str) -> dict[str, object]:
    payload = {
        "id": "crm-42",
        "occurred_at": "2026-11-24T15:04:05Z",
        "lead": {"email": email, "title": "VP Sales"},
        "activity": {"kind": "demo_request"},
    }
    return json.loads(
        event_callback_body(
            event={
                "type": "message_metadata_posted",
                "app_id": "A0CRM",
                "bot_id": "B0CRM",
                "team_id": "T0001",
                "channel_id": "C0LEADS",
                "message_ts": "1764000000.000100",
                "event_ts": "1764000000.000100",
                "metadata": {"event_type": "lead_activity", "event_payload": payload},
            }
        )
    )


def _health(client: httpx.Client, process: subprocess.Popen[str], timeout: float = 20) -> Any:
    """``/healthz`` once the port is open.

    Socket Mode connects in the app's start-up, before uvicorn binds the
    port, so the port may open a moment after "connected" is printed.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.get("/healthz").json()
        except httpx.ConnectError:
            assert process.poll() is None, "serve exited before opening its port"
            assert time.monotonic() < deadline, "serve never opened its port"
            time.sleep(0.05)


def _wait_for_line(process: subprocess.Popen[str], pattern: str, timeout: float = 20) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if re.search(pattern, line):
            return line
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"no line matching {pattern!r}; stderr: {process.communicate()[1]}")


@pytest.mark.slow
def test_socket_mode_receives_events_and_still_serves_the_webhook(tmp_path: Path) -> None:
    port = free_port()
    with SocketSlack().running() as slack:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "SLACK_APP_TOKEN": GOOD_APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
            "LEADSCORE_INGEST_SECRET": "s3cret",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "--socket-mode", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for_line(process, "connected to Slack over Socket Mode")
            assert slack.connected.wait(5)
            envelope_id = slack.deliver(_metadata_event("ana@acme.io"))
            assert slack.acks.get(timeout=10) == {"envelope_id": envelope_id}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                assert _health(client, process) == {"status": "ok", "database": "ok"}
                assert "leadscore_events_ingested_total" in client.get("/metrics").text
                assert client.post("/slack/events", content=b"{}").status_code == 404
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
    # uvicorn stops gracefully (lifespan shutdown), then re-raises SIGTERM as servers should
    assert process.returncode == -signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert 'msg="socket mode closed"' in stderr  # closed by the lifespan, with the workers
    engine = make_engine(f"sqlite:///{tmp_path / 'serve.db'}")
    with session_scope(engine) as session:
        lead = lead_by_email(session=session, email="ana@acme.io")
        assert lead is not None and lead.score > 0
    engine.dispose()
    assert 'msg="metadata event ingested" source=slack' in stderr
    assert "ana@acme.io" not in stderr
