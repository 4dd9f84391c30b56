"""A lead's name, title, company, email and a rule's name typed by an attacker, on every surface.

Slack parses ``<...>`` in mrkdwn and in a message's ``text`` as mentions and
links, so a lead named ``<!channel>`` would page the whole channel. This
story puts hostile text into one lead and one rule, walks it through every
Slack surface via the emulator (the alert, its escalation, its update after a
click, the Not-a-fit modal, App Home, the score card and its share, rankings,
company and not-found lists, the account and away answers, the account heat alert, the help echo,
rules, ``/leadscore calibrate`` and the weekly digest), and fails on any raw
mention, link or formatting that came from the data, in the blocks or in the
notification ``text``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.alerts import deliver_due
from bot.alerts.escalation import escalate_overdue
from bot.digest.post import post_weekly_digest
from bot.ingest import Item
from bot.rules_admin import apply_rules
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import RESPONSE_URL, RecordedCall, SlackEmulator
from tests.alerts.conftest import Clock, Sdr, all_alerts
from tests.conftest import FIXTURES, MANAGER
from tests.digest.worlds import NOW as DIGEST_NOW
from tests.digest.worlds import Lead, ingest_leads, small_world
from tests.reliability.figures import record
from tests.slash_command.conftest import SlackUser
from tests.support.events import activity, lead_created
from tests.support.servers import running

NAME = (
    "<!channel> <@U123> <https://evil.example|Click me> *bold* _it_ ~st~ `code` <!subteam^S1>"
    "\nsecond line"
)
EMAIL = "x|y&z@evil.example"
TITLE = "VP Sales <!here> <@U123>"
COMPANY = "Evil <@U123> Co " + "A" * 180 + "&" * 40
ACCOUNT = "<!channel> <@U123> *acct*"
RULE = "<!channel> *Senior* title <https://evil.example|Click me>"
WON_EMAILS = ["<!channel>@cold.example", "<@u123>@cold.example"]

FROM_DATA = ["<!channel", "<!here", "<!subteam", "<@U123", "<@u123", "<https://evil", "<@u999"]
FORMATTING = ["*bold*", "_it_", "~st~", "`code`", "*Senior*", "*acct*"]
WRITTEN_BY_US = {"<!date^"}
"""Our own ``<...>``: user mentions of real ids, channels, dates and mailto links are fine."""
PARTIAL_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
MAILTO = re.compile(r"<mailto:([^|>]*)[|>]")


@dataclass
class World:
    services: Services
    emulator: SlackEmulator
    slack: SlackUser
    sdr: Sdr
    clock: Clock


@pytest.fixture
def world(services: Services, emulator: SlackEmulator) -> Iterator[World]:
    clock = Clock(now=DIGEST_NOW + timedelta(days=1))
    services.clock = clock
    services.ingestor.clock = clock
    rules = (FIXTURES / "rules.yml").read_text().replace("Senior title", json.dumps(RULE))
    apply_rules(services, text=rules, applied_by="tests")
    server = create_server(services, workers=False)
    with running(server.http) as url, httpx.Client(timeout=10) as http:
        slack = SlackUser(http=http, url=url, emulator=emulator, services=services)
        yield World(services, emulator, slack, Sdr(http, url, emulator, services, clock), clock)


def _hostile_lead(at: str) -> list[dict[str, Any]]:
    profile = {
        "name": NAME,
        "title": TITLE,
        "company": COMPANY,
        "company_size": 250,
        "region": "EMEA",
        "account": ACCOUNT,
    }
    return [
        lead_created(EMAIL, at=at, **profile),
        activity(EMAIL, "page_view", at=at, url="https://ex.com/<!channel>/pricing"),
        activity(EMAIL, "demo_request", at=at),
    ]


def _digest_world() -> list[Lead]:
    leads = small_world()
    renamed = iter(WON_EMAILS)
    return [
        Lead(next(renamed), lead.won, lead.profile, lead.kinds)
        if lead.won and lead.email.startswith("cold")
        else lead
        for lead in leads
    ]


def _walk_story(w: World) -> None:
    """Everything a workspace would see of the hostile lead and rule, in order."""
    ingest_leads(w.services, _digest_world())
    at = (w.clock.now - timedelta(minutes=5)).isoformat()
    items = [Item(f"#{i}", event) for i, event in enumerate(_hostile_lead(at))]
    (alert_id,) = w.services.ingestor.ingest(items, source="test").alert_ids
    assert deliver_due(w.services).sent == 1
    home = {"type": "app_home_opened", "user": "U01", "channel": "D01", "tab": "home"}
    w.slack.event({**home, "event_ts": "1.1"})
    w.emulator.wait_for("views.publish")
    w.clock.advance(minutes=20)
    assert escalate_overdue(w.services) == 1
    (alert,) = [a for a in all_alerts(w.services) if a.id == alert_id]
    w.sdr.click(alert, "alert_not_fit", user_id="U02")
    (opened,) = w.emulator.wait_for("views.open")
    w.sdr.submit(opened.params["view"], user_id="U02", reason="other", note="<!channel> *n*")
    w.emulator.wait_for("chat.update")
    commands = (EMAIL, "top", "top 50", "Evil", "no@where.example", "<!channel> *hi*", "rules")
    for text in (*commands, f"account {ACCOUNT}", "account evil.example", "away", "back"):
        w.slack.command(text)
    card = w.slack.command(EMAIL)
    share = next(
        element
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    )
    w.slack.click(action_id=share["action_id"], value=share["value"], channel_id="C0SALES")
    w.slack.command("calibrate 90", user_id=MANAGER)
    assert post_weekly_digest(w.services, period="2026-W49", now=DIGEST_NOW) is not None
    _heat_the_account(w)


def _heat_the_account(w: World) -> None:
    """Two more people of the hostile account read the pricing page: the account alert."""
    at = w.clock.now.isoformat()
    events = [
        event
        for n in (2, 3)
        for event in (
            lead_created(f"p{n}.{EMAIL}", at=at, name=NAME, title=TITLE, account=ACCOUNT),
            activity(f"p{n}.{EMAIL}", "page_view", at=at, url="https://ex.com/pricing"),
        )
    ]
    w.services.ingestor.ingest([Item(f"heat-{i}", e) for i, e in enumerate(events)], source="t")
    before = len(w.emulator.calls_to("chat.postMessage"))
    deliver_due(w.services)
    posted = w.emulator.calls_to("chat.postMessage")[before:]
    assert any("Account heating up" in str(call.params.get("text")) for call in posted)


def _outputs(emulator: SlackEmulator) -> list[RecordedCall]:
    shown = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.publish")
    return [c for c in emulator.calls if c.method in shown or c.method == RESPONSE_URL]


def _mrkdwn_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _mrkdwn_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mrkdwn_texts(value)


def _problems(text: str, where: str) -> list[str]:
    found = [f"{where}: raw {marker!r}" for marker in FROM_DATA if marker in text]
    found += [f"{where}: formatting {marker!r}" for marker in FORMATTING if marker in text]
    if "\nsecond line" in text:
        found.append(f"{where}: a newline from the data split a line")
    if PARTIAL_ENTITY.search(text):
        found.append(f"{where}: a bare '&' or a cut entity")
    for href in MAILTO.findall(text):
        if not re.fullmatch(r"[^<>|&\s]+@[a-z0-9.-]+", href):
            found.append(f"{where}: a mailto link broken by the address: {href!r}")
    return found


def _check_shapes(call: RecordedCall) -> None:
    """slack_sdk's own Block Kit models accept every block and view we sent."""
    params = call.params
    if isinstance(params.get("view"), dict):
        View(**params["view"]).to_dict()
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks or []:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.to_dict()


def test_hostile_lead_and_rule_text_never_becomes_a_mention_link_or_format(world: World) -> None:
    _walk_story(world)
    calls = _outputs(world.emulator)
    methods = {call.method for call in calls}
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish"} <= methods
    assert len([c for c in calls if c.method == RESPONSE_URL]) >= 9

    problems: list[str] = []
    for n, call in enumerate(calls):
        where = f"#{n} {call.method}"
        params = call.params
        view = params.get("view")
        if isinstance(view, str):
            params = {**params, "view": json.loads(view)}
        text = params.get("text")
        if isinstance(text, str):
            problems += _problems(text, f"{where} text")
        for mrkdwn in _mrkdwn_texts(params):
            problems += _problems(mrkdwn, f"{where} blocks")
        _check_shapes(call)
    record(
        "hostile lead and rule text",
        slack_outputs_checked=len(calls),
        surfaces=len(methods),
        raw_mentions_links_or_formatting=len(problems),
    )
    assert not problems, "\n".join(problems[:30])


def test_the_hostile_values_are_still_shown_as_typed(world: World) -> None:
    """Escaped, not dropped: a reader still sees the name and the email."""
    _walk_story(world)
    alert = next(c for c in world.emulator.calls_to("chat.postMessage") if c.params.get("metadata"))
    shown = json.dumps(alert.params, ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown
    assert "<mailto:x%7Cy%26z@evil.example|x|y&amp;z@evil.example>" in shown
    updates = world.emulator.calls_to("chat.update")  # reassigned, then claimed
    assert updates
    seen = {block["block_id"] for block in alert.params["blocks"] if "block_id" in block}
    for update in updates:
        ids = {block["block_id"] for block in update.params["blocks"] if "block_id" in block}
        assert seen and ids and not seen & ids, "fresh block_ids on every update"
        seen |= ids
