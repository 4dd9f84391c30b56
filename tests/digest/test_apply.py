"""Clicking **Apply suggestions** on the digest: signed block_actions into the real HTTP app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from bot.digest.post import post_weekly_digest
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import RESPONSE_URL, SlackEmulator, block_actions_body, signed_headers
from scoring.decay import decay_factor, idle_days
from scoring.rule_file import parse_rule_set
from storage.calibration import get_report
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.rule_sets import active_version, list_versions
from tests.conftest import MANAGER, SIGNING_SECRET
from tests.digest.worlds import NOW, ingest_leads, synthetic_world
from tests.support.servers import running

SDR = "USDR"


@dataclass
class Digest:
    http: httpx.Client
    url: str
    emulator: SlackEmulator
    services: Services
    report_id: int
    ts: str

    def click_apply(self, user_id: str, *, ephemeral: bool = False) -> None:
        body = block_actions_body(
            user_id=user_id,
            action_id="digest_apply",
            value=str(self.report_id),
            channel_id="C0DIGEST",
            message_ts=self.ts,
            response_url=self.emulator.new_response_url(),
        )
        if ephemeral:  # the button in /leadscore calibrate's ephemeral reply
            payload = json.loads(parse_qs(body)["payload"][0])
            payload["container"]["is_ephemeral"] = True
            body = urlencode({"payload": json.dumps(payload)})
        headers = signed_headers(signing_secret=SIGNING_SECRET, body=body)
        response = self.http.post(f"{self.url}/slack/events", content=body, headers=headers)
        assert response.status_code == 200

    def thread_replies(self) -> list[str]:
        return [
            m["text"]
            for m in self.emulator.messages["C0DIGEST"]
            if m.get("thread_ts") == self.ts and m["ts"] != self.ts and not m.get("files")
        ]

    def ephemeral_replies(self, count: int) -> list[str]:
        calls = self.emulator.wait_for(RESPONSE_URL, count=count, timeout=20)
        return [call.params["text"] for call in calls]


@pytest.fixture
def digest(services: Services, emulator: SlackEmulator) -> Iterator[Digest]:
    services.clock = lambda: NOW
    ingest_leads(services, synthetic_world(size=200))
    report_id = post_weekly_digest(services, period="2026-W49", now=NOW)
    assert report_id is not None
    ts = emulator.messages["C0DIGEST"][0]["ts"]
    server = create_server(services, workers=False)
    with running(server.http) as url, httpx.Client(timeout=10) as http:
        yield Digest(http, url, emulator, services, report_id, ts)


def _active(services: Services) -> tuple[int, str]:
    with session_scope(services.engine) as session:
        row = active_version(session=session)
        assert row is not None and row.version is not None
        return row.version, row.content


def _suggested(services: Services, report_id: int) -> str:
    with session_scope(services.engine) as session:
        row = get_report(session=session, report_id=report_id)
        assert row is not None and row.suggested_rules
        return row.suggested_rules


def _lead(services: Services, email: str) -> tuple[float, int | None, datetime]:
    with session_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None and lead.last_activity_at is not None
        return lead.score, lead.rule_set_version, lead.last_activity_at


def test_a_manager_applies_the_suggestion_and_leads_are_rescored(digest: Digest) -> None:
    services = digest.services
    pricing_visitor = next(
        lead.email
        for lead in synthetic_world(size=200)
        if [k for k, _ in lead.kinds] == ["page_view"]
    )
    score_before, version_before, _ = _lead(services, pricing_visitor)
    assert version_before == 1 and 0 < score_before <= 10  # one pricing visit, decayed since

    digest.click_apply(MANAGER)
    digest.emulator.wait_for("chat.postMessage", count=2, timeout=20)

    [reply] = digest.thread_replies()
    assert f"<@{MANAGER}> applied the suggested rules: rule set *version 2* is now active" in reply
    assert digest.ephemeral_replies(1) == ["Rescoring 200 leads…"]  # heard before the reply
    assert "200 leads were rescored" in reply
    version, content = _active(services)
    assert version == 2
    suggested = parse_rule_set(_suggested(services, digest.report_id))
    assert parse_rule_set(content) == suggested
    new_points = {rule.name: rule.points for rule in suggested.behavior}["Pricing page visit"]
    assert new_points > 10
    score_after, version_after, last_activity = _lead(services, pricing_visitor)
    assert version_after == 2
    decay = decay_factor(suggested.decay, idle_days(last_activity, NOW))
    expected = suggested.base + new_points * decay  # rescored at the apply instant
    assert score_after == pytest.approx(min(max(expected, 0), 100))
    with session_scope(services.engine) as session:
        row = get_report(session=session, report_id=digest.report_id)
        assert row is not None
        assert (row.applied_version, row.applied_by) == (2, f"slack:{MANAGER}")
        assert row.applied_at == NOW


def test_clicking_apply_twice_applies_once(digest: Digest) -> None:
    digest.click_apply(MANAGER)
    digest.emulator.wait_for("chat.postMessage", count=2, timeout=20)
    digest.click_apply(MANAGER)

    [rescoring, answer] = digest.ephemeral_replies(2)
    assert rescoring == "Rescoring 200 leads…"
    assert "already applied as version 2" in answer
    with session_scope(digest.services.engine) as session:
        assert len(list_versions(session=session)) == 2
    assert len(digest.thread_replies()) == 1


def test_a_non_manager_is_politely_refused_and_nothing_changes(digest: Digest) -> None:
    digest.click_apply(SDR)

    [answer] = digest.ephemeral_replies(1)
    assert answer.startswith("Sorry, only sales managers can apply calibration suggestions.")
    [call] = digest.emulator.responses()
    assert call.params["response_type"] == "ephemeral"
    assert _active(digest.services)[0] == 1
    assert digest.thread_replies() == []
    with session_scope(digest.services.engine) as session:
        row = get_report(session=session, report_id=digest.report_id)
        assert row is not None and row.applied_version is None and row.applied_by is None


def test_apply_from_an_ephemeral_report_answers_ephemerally(digest: Digest) -> None:
    digest.click_apply(MANAGER, ephemeral=True)

    [rescoring, answer] = digest.ephemeral_replies(2)
    assert rescoring == "Rescoring 200 leads…"
    assert "rule set *version 2* is now active" in answer
    assert digest.thread_replies() == []
    assert _active(digest.services)[0] == 2
