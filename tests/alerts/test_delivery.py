"""A lead turns hot and its alert reaches the routed channel exactly once, whatever Slack does."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from freezegun import freeze_time

from bot.alerts import DeliveryStats, OutboxSender, deliver_due, failed_alerts_summary
from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from tests.alerts.conftest import alert_row, all_alerts, ingest, posts_to
from tests.conftest import INGEST_SECRET
from tests.support.events import activity, hot_lead, lead_created
from tests.support.ingest_client import post_events
from tests.support.servers import running

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _ana(at: datetime) -> list[dict[str, Any]]:
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
    warm_up, demo = _ana(now)[:2], _ana(now)[2]
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
            "block_id": "alert_status",
        },
        {
            "type": "actions",
            "block_id": "alert_actions",
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


def test_rate_limit_then_outage_then_one_message_never_early(
    services: Services, emulator: SlackEmulator
) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    emulator.fail_next("chat.postMessage", status=500)
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, *_ana(T0))

        assert deliver_due(services) == DeliveryStats(retried=1)
        row = alert_row(services, alert_id)
        assert (row.next_attempt_at, row.last_error) == (
            T0 + timedelta(seconds=1),
            "429 ratelimited",
        )

        clock.tick(0.9)
        calls_before = len(emulator.calls)
        assert deliver_due(services) == DeliveryStats()
        assert len(emulator.calls) == calls_before, "no request at all before Retry-After"

        clock.tick(0.1)
        assert deliver_due(services) == DeliveryStats(retried=1)
        row = alert_row(services, alert_id)
        assert row.last_error == "500 internal_error"
        assert row.next_attempt_at is not None
        backoff = (row.next_attempt_at - (T0 + timedelta(seconds=1))).total_seconds()
        assert 2 <= backoff <= 4, "second attempt: 4 s ceiling, equal jitter"

        clock.move_to(row.next_attempt_at)
        assert deliver_due(services) == DeliveryStats(sent=1)

    assert len(posts_to(emulator, "C0EMEA")) == 1
    assert [c.answered_status for c in emulator.calls_to("chat.postMessage")] == [429, 500, 200]
    assert len(emulator.calls_to("conversations.history")) == 2, "looked before each retry"
    assert alert_row(services, alert_id).status == "sent"


def test_the_sender_thread_waits_for_retry_after_without_sleeping(
    sqlite_services: Services, emulator: SlackEmulator
) -> None:
    sender = OutboxSender(sqlite_services, sweep_seconds=30)
    sender.start()
    try:
        emulator.fail_next("chat.postMessage", status=429, retry_after=1)
        ingest(sqlite_services, hot_lead("cy@gamma.io", region="EMEA"))
        first, second = emulator.wait_for("chat.postMessage", count=2, timeout=10)
    finally:
        sender.stop()
    waited = second.at - first.at
    assert 1.0 <= waited < 5.0, f"retried after {waited:.2f} s, not at Retry-After"
    assert len(posts_to(emulator, "C0EMEA")) == 1


def test_a_channel_that_does_not_exist_fails_once_and_is_reported(
    services: Services, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    caplog.set_level(logging.WARNING, logger="bot.alerts")
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, *_ana(T0))
        assert deliver_due(services) == DeliveryStats(failed=1)
        clock.tick(timedelta(hours=2))
        assert deliver_due(services) == DeliveryStats()

    row = alert_row(services, alert_id)
    assert (row.status, row.last_error, row.next_attempt_at) == (
        "failed",
        "channel_not_found",
        None,
    )
    assert len(emulator.calls_to("chat.postMessage")) == 1, "never retried"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].error == "channel_not_found"  # type: ignore[attr-defined]
    with session_scope(services.engine) as session:
        summary = failed_alerts_summary(session)
    assert summary.count == 1
    assert summary.describe() == (
        ":warning: 1 hot-lead alert could not be posted to Slack:\n"
        "• <#C0EMEA>: `channel_not_found` × 1 (latest 2026-11-25 10:00 UTC): "
        "check the channel ID in the rule set's routing"
    )


def test_no_failures_means_no_summary(services: Services) -> None:
    with session_scope(services.engine) as session:
        assert failed_alerts_summary(session).describe() is None


class Crash(BaseException):
    """The process dying between Slack's answer and the database write."""


def test_a_crash_after_posting_never_produces_a_second_message(
    services: Services, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(**_: object) -> None:
        raise Crash

    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, *_ana(T0))
        with monkeypatch.context() as patch:
            patch.setattr("bot.alerts.delivery.mark_sent", die)
            with pytest.raises(Crash):
                deliver_due(services)
        (posted,) = emulator.messages["C0EMEA"]
        assert alert_row(services, alert_id).status == "pending"

        clock.tick(30)
        assert deliver_due(services) == DeliveryStats(), "the lease still holds"
        clock.tick(31)
        assert deliver_due(services) == DeliveryStats(recovered=1)

    assert len(emulator.calls_to("chat.postMessage")) == 1
    row = alert_row(services, alert_id)
    assert (row.status, row.message_ts) == ("sent", posted["ts"])
    history = emulator.calls_to("conversations.history")[0].params
    assert history["include_all_metadata"] in (True, "true", "1")
