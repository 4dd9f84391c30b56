"""Forged, replayed and tampered requests are refused with 401 and change nothing.

Each forgery is tried on the three doors into the app: a Slack event carrying
a hot lead as message metadata, a ``/leadscore`` slash command, and the
``/ingest`` webhook. After each refusal the very same request, signed
properly, is sent as a control: it must work, which proves the 401 came from
the signature check and not from a broken payload or server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.http.signature import sign
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import RESPONSE_URL, SlackEmulator, signed_headers
from storage.models import Activity, DeadLetter, EventRecord, Lead
from tests.conftest import INGEST_SECRET, SIGNING_SECRET, make_services, make_settings
from tests.reliability.figures import record
from tests.security.slack_side import FORM, JSON, metadata_event, slash_command
from tests.support.databases import sqlite_url
from tests.support.events import hot_lead
from tests.support.servers import running

Forge = Callable[[str, str], tuple[str, dict[str, str]]]


def _slack_signed(body: str, content_type: str, *, secret: str = SIGNING_SECRET, at: int = 0):
    stamp = int(time.time()) + at
    return signed_headers(
        signing_secret=secret, body=body, timestamp=stamp, content_type=content_type
    )


SLACK_FORGERIES: dict[str, Forge] = {
    "unsigned": lambda body, ct: (body, {"Content-Type": ct}),
    "wrong secret": lambda body, ct: (body, _slack_signed(body, ct, secret="not-our-secret")),
    "replayed 301 s later": lambda body, ct: (body, _slack_signed(body, ct, at=-301)),
    "replayed a day later": lambda body, ct: (body, _slack_signed(body, ct, at=-86_400)),
    # Ahead by more than the second that may tick between signing and checking on a busy machine.
    "dated in the future": lambda body, ct: (body, _slack_signed(body, ct, at=+310)),
    "body tampered": lambda body, ct: (body.replace("acme", "evil"), _slack_signed(body, ct)),
    "no timestamp": lambda body, ct: (
        body,
        {k: v for k, v in _slack_signed(body, ct).items() if k != "X-Slack-Request-Timestamp"},
    ),
    "v1 instead of v0": lambda body, ct: (
        body,
        {**_slack_signed(body, ct), "X-Slack-Signature": _slack_signed(body, ct)[
            "X-Slack-Signature"].replace("v0=", "v1=")},
    ),
}  # fmt: skip


def _ingest_signed(body: str, *, secret: str = INGEST_SECRET, at: int = 0) -> dict[str, str]:
    stamp = str(int(time.time()) + at)
    return {
        "Content-Type": "application/json",
        "X-Leadscore-Timestamp": stamp,
        "X-Leadscore-Signature": sign(secret, stamp, body.encode()),
    }


INGEST_FORGERIES: dict[str, Callable[[str], tuple[str, dict[str, str]]]] = {
    "unsigned": lambda body: (body, {"Content-Type": "application/json"}),
    "wrong secret": lambda body: (body, _ingest_signed(body, secret="not-our-secret")),
    "replayed 301 s later": lambda body: (body, _ingest_signed(body, at=-301)),
    "replayed a day later": lambda body: (body, _ingest_signed(body, at=-86_400)),
    "dated in the future": lambda body: (body, _ingest_signed(body, at=+310)),
    "body tampered": lambda body: (body.replace("acme", "evil"), _ingest_signed(body)),
    "Slack's scheme instead": lambda body: (body, _slack_signed(body, JSON)),
    "timestamp not a number": lambda body: (
        body, {**_ingest_signed(body), "X-Leadscore-Timestamp": "soon"}
    ),
}  # fmt: skip


@dataclass
class App:
    http: httpx.Client
    url: str
    services: Services
    emulator: SlackEmulator

    def counts(self) -> dict[str, int]:
        with self.services.engine.connect() as connection:
            return {
                model.__name__: int(
                    connection.execute(select(func.count()).select_from(model)).scalar_one()
                )
                for model in (EventRecord, Lead, Activity, DeadLetter)
            }

    def answered(self, response_url: str) -> bool:
        path = response_url.removeprefix(self.emulator.base_url.rstrip("/"))
        return any(call.path == path for call in self.emulator.calls_to(RESPONSE_URL))


refused = {"slack events": 0, "slash commands": 0, "ingest": 0}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One server for the module; each test compares counts before and after."""
    with SlackEmulator() as emulator:
        path = Path(tmp_path_factory.mktemp("auth"))
        services = make_services(make_settings(sqlite_url(path), emulator), emulator)
        server = create_server(services, workers=False)
        with running(server.http) as url, httpx.Client(timeout=10) as http:
            yield App(http, url, services, emulator)
        services.engine.dispose()
    record("authentication: forged requests refused with 401", **refused)


@pytest.mark.parametrize("forgery", SLACK_FORGERIES)
def test_a_forged_metadata_event_is_refused_and_stores_no_lead(app: App, forgery: str) -> None:
    email = f"{forgery.replace(' ', '-')}@acme.io"
    body = metadata_event(hot_lead(email, event_id=f"meta-{forgery}"), event_id=f"Ev-{forgery}")
    sent, headers = SLACK_FORGERIES[forgery](body, JSON)
    before = app.counts()
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for extra in ({}, retry):
        response = app.http.post(
            f"{app.url}/slack/events", content=sent, headers={**headers, **extra}
        )
        assert response.status_code == 401, (forgery, response.text)
        refused["slack events"] += 1
    assert app.counts() == before
    control = app.http.post(
        f"{app.url}/slack/events", content=body, headers=_slack_signed(body, JSON)
    )
    assert control.status_code == 200
    after = app.counts()
    assert (after["EventRecord"], after["Lead"]) == (before["EventRecord"] + 1, before["Lead"] + 1)


@pytest.mark.parametrize("forgery", SLACK_FORGERIES)
def test_a_forged_slash_command_is_refused_and_never_answered(app: App, forgery: str) -> None:
    forged_url, control_url = app.emulator.new_response_url(), app.emulator.new_response_url()
    body = slash_command("ana@acme.io", user_id="U01", response_url=forged_url)
    sent, headers = SLACK_FORGERIES[forgery](body, FORM)
    response = app.http.post(f"{app.url}/slack/events", content=sent, headers=headers)
    assert response.status_code == 401, (forgery, response.text)
    refused["slash commands"] += 1
    control = slash_command("ana@acme.io", user_id="U01", response_url=control_url)
    assert (
        app.http.post(
            f"{app.url}/slack/events", content=control, headers=_slack_signed(control, FORM)
        ).status_code
        == 200
    )
    deadline = time.monotonic() + 10
    while not app.answered(control_url) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert app.answered(control_url), "the signed control command was never answered"
    assert not app.answered(forged_url), f"{forgery}: the forged command was answered"


@pytest.mark.parametrize("forgery", INGEST_FORGERIES)
def test_a_forged_ingest_batch_is_refused_and_stores_nothing(app: App, forgery: str) -> None:
    email = f"{forgery.replace(' ', '-').replace(chr(39), '')}@acme.io"
    body = json.dumps({"events": [hot_lead(email, event_id=f"ingest-{forgery}")]})
    sent, headers = INGEST_FORGERIES[forgery](body)
    before = app.counts()
    response = app.http.post(f"{app.url}/ingest", content=sent, headers=headers)
    assert response.status_code == 401, (forgery, response.text)
    assert response.json()["error"]
    refused["ingest"] += 1
    assert app.counts() == before
    control = app.http.post(f"{app.url}/ingest", content=body, headers=_ingest_signed(body))
    assert control.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
