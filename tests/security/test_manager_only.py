"""Only managers change how leads are scored; everyone else is refused politely, and nothing moves.

An SDR tries ``/leadscore calibrate`` in the ways people type it, and clicks
**Apply suggestions** on the weekly digest, again and again, also as a user
whose id only looks like the manager's. Each gets an ephemeral "Sorry, ..."
and the rule set, the report and every lead's score stay exactly as they
were. A manager's click afterwards works, so the refusals were not a broken
button.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.digest.post import post_weekly_digest
from bot.digest.report_view import APPLY_ACTION
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, block_actions_body
from storage.models import CalibrationReport, RuleSetVersion
from tests.conftest import MANAGER
from tests.digest.worlds import NOW, ingest_leads, synthetic_world
from tests.reliability.figures import record
from tests.reliability.outbox_checks import wait_until
from tests.reliability.replay import scores_of
from tests.security.slack_side import FORM, send, slash_command
from tests.support.servers import running

NOT_MANAGERS = ("USDR", MANAGER.lower(), MANAGER[:-1], f"{MANAGER}2")
CALIBRATE_TYPED = ("calibrate", "CALIBRATE", "  calibrate 30 ", "calibrate 90", "Calibrate 7")


@dataclass
class Digest:
    http: httpx.Client
    url: str
    emulator: SlackEmulator
    services: Services
    report_id: int
    ts: str

    def state(self) -> tuple[Any, ...]:
        """Everything a refused manager action must leave as it was."""
        with self.services.engine.connect() as connection:
            versions = connection.execute(
                select(RuleSetVersion.version, RuleSetVersion.activated_at)
            ).all()
            reports = connection.execute(
                select(func.count(), func.max(CalibrationReport.applied_version)).select_from(
                    CalibrationReport
                )
            ).one()
        return (
            tuple(versions),
            tuple(reports),
            tuple(sorted(scores_of(self.services.engine).items())),
        )

    def reply(self, response_url: str) -> dict[str, Any]:
        path = response_url.removeprefix(self.emulator.base_url.rstrip("/"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for call in self.emulator.responses():
                if call.path == path:
                    return call.params
            time.sleep(0.02)
        raise AssertionError("no answer on the response_url")

    def command(self, text: str, user_id: str) -> dict[str, Any]:
        response_url = self.emulator.new_response_url()
        body = slash_command(text, user_id=user_id, response_url=response_url)
        assert send(self.http, self.url, body, content_type=FORM).status_code == 200
        return self.reply(response_url)

    def click_apply(self, user_id: str, *, answered: bool = True) -> dict[str, Any]:
        response_url = self.emulator.new_response_url()
        body = block_actions_body(
            user_id=user_id,
            action_id=APPLY_ACTION,
            value=str(self.report_id),
            channel_id="C0DIGEST",
            message_ts=self.ts,
            response_url=response_url,
        )
        assert send(self.http, self.url, body, content_type=FORM).status_code == 200
        return self.reply(response_url) if answered else {}


@pytest.fixture
def digest(sqlite_services: Services, emulator: SlackEmulator) -> Iterator[Digest]:
    sqlite_services.clock = lambda: NOW
    ingest_leads(sqlite_services, synthetic_world(size=200))  # enough deals for Apply to be offered
    report_id = post_weekly_digest(sqlite_services, period="2026-W49", now=NOW)
    assert report_id is not None
    ts = emulator.messages["C0DIGEST"][0]["ts"]
    app = create_server(sqlite_services, workers=False).http
    with running(app) as url, httpx.Client(timeout=20) as http:
        yield Digest(http, url, emulator, sqlite_services, report_id, ts)


def test_non_managers_cannot_calibrate_or_apply_and_nothing_changes(digest: Digest) -> None:
    before = digest.state()
    refusals = 0
    for user in NOT_MANAGERS:
        for typed in CALIBRATE_TYPED:
            answer = digest.command(typed, user)
            assert answer["response_type"] == "ephemeral"
            assert "is for sales managers" in str(answer), (user, typed)
            refusals += 1
        for _ in range(2):  # a double click
            answer = digest.click_apply(user)
            assert answer.get("response_type") == "ephemeral"
            assert answer["text"].startswith("Sorry, only sales managers can apply")
            refusals += 1
    assert digest.state() == before

    digest.click_apply(MANAGER, answered=False)  # a manager is answered in the digest's thread
    wait_until(lambda: digest.state()[:2] != before[:2], timeout=30, what="the manager's apply")
    record("manager-only actions", refused=refusals, changed_by_non_managers=0)
