"""A lead turns hot and its alert reaches the routed channel, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.alerts import DeliveryStats, deliver_due
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.alerts.conftest import alert_row, all_alerts, posts_to
from tests.conftest import INGEST_SECRET
from tests.support.events import activity, hot_lead, lead_created
from tests.support.ingest_client import post_events
from tests.support.servers import running

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def ana(at: datetime) -> list[dict[str, Any]]:
    """Ana, a VP at a 250-person EMEA company, looks at pricing (warm), then asks for a demo."""
    return [
        lead_created(
            "ana@acme.io",
            name="Ana Ruiz",
            title="VP Sales",
            company="Acme",
            company_size=250,
            region="EMEA",
            at=_iso(at - timedelta(minutes=30)),
        ),
        activity(
            "ana@acme.io",
            "page_view",
            url="https://ex.com/pricing",
            at=_iso(at - timedelta(minutes=30)),
        ),
        activity("ana@acme.io", "demo_request", at=_iso(at - timedelta(minutes=5))),
    ]


def test_threshold_crossing_posts_one_alert_to_the_routed_channel(
    services: Services, emulator: SlackEmulator
) -> None:
    now = datetime.now(UTC)
    warm_up, demo = ana(now)[:2], ana(now)[2]
    with running(create_server(services).http) as url, httpx.Client(timeout=10) as http:
        assert post_events(http, url, warm_up, INGEST_SECRET).json()["accepted"] == 2
        assert post_events(http, url, [demo], INGEST_SECRET).json()["accepted"] == 1
        emulator.wait_for("chat.postMessage")

    (alert,) = all_alerts(services)
    (post,) = posts_to(emulator, "C0EMEA")
    assert post["text"] == "Hot lead: Ana Ruiz (ana@acme.io) at Acme, score 95, for <@U01>"
    assert post["metadata"] == {
        "event_type": "leadscore_alert",
        "event_payload": {"alert_key": alert.alert_key},
    }
    value = str(alert.id)
    block_ids = [block.pop("block_id") for block in post["blocks"] if "block_id" in block]
    assert [block_id.split(".")[0] for block_id in block_ids] == ["alert_status", "alert_actions"]
    assert post["blocks"] == [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": ":fire: Hot lead: Ana Ruiz at Acme"},
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Who*\nAna Ruiz\n<mailto:ana@acme.io|ana@acme.io>"},
                {"type": "mrkdwn", "text": "*Title*\nVP Sales"},
                {"type": "mrkdwn", "text": "*Company*\nAcme · 250 people"},
                {"type": "mrkdwn", "text": "*Score*\n*95* (fit 35 · behaviour 60)"},
                {"type": "mrkdwn", "text": "*Account*\nacme.io · no owner yet"},
            ],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Top reasons*\n• Demo request +50\n• Senior title +20"
                "\n• ICP company size +15",
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Recent activity*\n• demo request · 5 min ago"
                "\n• pricing page view · 30 min ago",
            },
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "For <@U01>"},
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Claim"},
                    "action_id": "alert_claim",
                    "value": value,
                    "style": "primary",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Not a fit"},
                    "action_id": "alert_not_fit",
                    "value": value,
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Snooze 1 day"},
                    "action_id": "alert_snooze",
                    "value": value,
                },
            ],
        },
    ]
    stored = alert_row(services, alert.id or 0)
    assert (stored.status, stored.assignee) == ("sent", "U01")
    assert stored.message_ts == emulator.messages["C0EMEA"][0]["ts"]


def test_the_same_event_delivered_four_times_alerts_once(
    services: Services, emulator: SlackEmulator
) -> None:
    event = hot_lead("bo@beta.io", region="EMEA")
    with running(create_server(services).http) as url, httpx.Client(timeout=10) as http:
        answers = [post_events(http, url, [event], INGEST_SECRET).json() for _ in range(4)]
        emulator.wait_for("chat.postMessage")
        assert deliver_due(services) == DeliveryStats(), "nothing left to send"

    assert [a["accepted"] for a in answers] == [1, 0, 0, 0]
    assert len(posts_to(emulator, "C0EMEA")) == 1
    assert len(all_alerts(services)) == 1
