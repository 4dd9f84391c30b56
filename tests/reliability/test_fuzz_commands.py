"""Whatever an SDR types after ``/leadscore``, Slack gets a 200 ack and a polite answer.

Generated texts (keywords with odd arguments, emails, Slack mentions and
links, control characters, 4,000-character pastes, any unicode) are signed
and dispatched through the real Bolt app. Every one must be acked with 200,
answered on its ``response_url`` with a non-empty text and blocks within
Slack's limits, and no ERROR may be logged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import App, BoltRequest

from bot.ingest import Item
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, signed_headers
from bot.slack_emulator.blocks import MAX_MESSAGE_BLOCKS, block_errors
from tests.conftest import MANAGER, SIGNING_SECRET, make_services, make_settings
from tests.reliability.figures import record
from tests.reliability.ingest_probe import ErrorLogs, watching_errors
from tests.security.slack_side import slash_command
from tests.support.databases import sqlite_url
from tests.support.events import activity, hot_lead, lead_created, recent
from tests.support.hypothesis_profiles import examples

pytestmark = pytest.mark.slow

KEYWORDS = ("", "help", "top", "rules", "calibrate", "share", "score", "HELP", "Top", "lead")
arguments = st.one_of(
    st.sampled_from(["hot", "HOT", "warm", "all", "cold", "-1", "0", "7", "365", "1e9", "NaN"]),
    st.sampled_from(["99999999999999999999999", "ana@acme.io", "ANA@ACME.IO ", "Acme", "acme"]),
    st.sampled_from(["<@U01|bob>", "<mailto:ana@acme.io|ana@acme.io>", "<https://acme.io|acme>"]),
    st.sampled_from(["<#C0SALES|sales>", ":fire:", "*bold*", "`code`", "&lt;&gt;", "%", "\\"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.emails().map(lambda email: email[:200]),
    st.text(st.characters(codec="utf-8"), max_size=30),
)
spaces = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", " \r\n "])


@st.composite
def command_texts(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["words", "words", "words", "anything", "paste"]))
    if shape == "anything":
        return draw(st.text(st.characters(codec="utf-8"), max_size=200))
    if shape == "paste":
        return draw(st.sampled_from(["x", "ana@acme.io ", "é", "🦄"])) * draw(
            st.integers(min_value=500, max_value=4_000)
        )
    words = [draw(st.sampled_from(KEYWORDS))]
    words += draw(st.lists(arguments, max_size=4))
    return "".join(word + draw(spaces) for word in words)


@dataclass
class Asker:
    bolt: App
    emulator: SlackEmulator
    errors: ErrorLogs
    answered: int = 0
    by_user: dict[str, int] = field(default_factory=dict)

    def ask(self, text: str, user_id: str) -> dict[str, Any]:
        response_url = self.emulator.new_response_url()
        body = slash_command(text, user_id=user_id, response_url=response_url)
        headers = signed_headers(signing_secret=SIGNING_SECRET, body=body)
        response = self.bolt.dispatch(BoltRequest(body=body, headers=headers))
        assert response.status == 200, response.body
        path = response_url.removeprefix(self.emulator.base_url.rstrip("/"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for call in reversed(self.emulator.responses()):
                if call.path == path:
                    self.answered += 1
                    self.by_user[user_id] = self.by_user.get(user_id, 0) + 1
                    return call.params
            time.sleep(0.005)
        raise AssertionError(f"/leadscore {text!r} was never answered")


@pytest.fixture(scope="module")
def asker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Asker]:
    with SlackEmulator() as emulator, watching_errors() as errors:
        path = Path(tmp_path_factory.mktemp("commands"))
        services: Services = make_services(make_settings(sqlite_url(path), emulator), emulator)
        events = [
            lead_created("ana@acme.io", name="Ana Ruiz", title="VP Sales", company="Acme"),
            hot_lead("ana@acme.io", at=recent(30)),
            *[activity(f"rep{n}@acme.io", "page_view", company="Acme") for n in range(12)],
            activity("bo@beta.io", "email_open", company="Beta GmbH", at=recent(90)),
        ]
        items = [Item(position=f"#{i}", data=e, index=i) for i, e in enumerate(events)]
        assert not services.ingestor.ingest(items, source="test", alert=False).rejected
        server = create_server(services, workers=False)
        checker = Asker(server.bolt, emulator, errors)
        yield checker
        services.engine.dispose()
    record(
        "fuzz /leadscore texts",
        commands=checker.answered,
        answered=checker.answered,
        by_managers=checker.by_user.get(MANAGER, 0),
        errors_logged=len(errors.records),
    )


@settings(
    max_examples=examples(400),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=command_texts(), user=st.sampled_from(["USDR", "USDR", MANAGER]))
def test_any_command_text_is_acked_and_answered_politely(
    asker: Asker, text: str, user: str
) -> None:
    answer = asker.ask(text, user)
    assert isinstance(answer.get("text"), str) and answer["text"].strip(), answer
    assert answer.get("response_type") in ("ephemeral", "in_channel")
    assert block_errors(answer.get("blocks") or [], max_blocks=MAX_MESSAGE_BLOCKS) == []
    assert "Traceback" not in str(answer)
    assert not asker.errors.records, asker.errors.records[0].getMessage()
