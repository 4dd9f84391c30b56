"""When Slack rate-limits, fails or refuses: never early, never twice, never silently lost."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from bot.alerts import DeliveryStats, OutboxSender, deliver_due, failed_alerts_summary
from bot.alerts.delivery import LEASE
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from tests.alerts.conftest import alert_row, ingest, posts_to
from tests.alerts.test_delivery import ana
from tests.support.events import hot_lead

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_rate_limit_then_outage_then_one_message_never_early(
    services: Services, emulator: SlackEmulator
) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    emulator.fail_next("chat.postMessage", status=500)
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, *ana(T0))

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
        first, second = emulator.wait_for("chat.postMessage", count=2, timeout=60)
    finally:
        sender.stop()
    waited = second.at - first.at
    assert waited >= 1.0, f"retried after {waited:.2f} s, before Retry-After"
    assert len(posts_to(emulator, "C0EMEA")) == 1


def test_a_channel_that_does_not_exist_fails_once_and_is_reported(
    services: Services, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    caplog.set_level(logging.WARNING, logger="bot.alerts")
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, *ana(T0))
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
        (alert_id,) = ingest(services, *ana(T0))
        with monkeypatch.context() as patch:
            patch.setattr("bot.alerts.delivery.mark_sent", die)
            with pytest.raises(Crash):
                deliver_due(services)
        (posted,) = emulator.messages["C0EMEA"]
        assert alert_row(services, alert_id).status == "pending"

        clock.tick(LEASE - timedelta(seconds=1))
        assert deliver_due(services) == DeliveryStats(), "the lease still holds"
        clock.tick(timedelta(seconds=1))
        assert deliver_due(services) == DeliveryStats(recovered=1)

    assert len(emulator.calls_to("chat.postMessage")) == 1
    row = alert_row(services, alert_id)
    assert (row.status, row.message_ts) == ("sent", posted["ts"])
    history = emulator.calls_to("conversations.history")[0].params
    assert history["include_all_metadata"] in (True, "true", "1")


def test_a_day_long_outage_backs_off_capped_then_gives_up(
    sqlite_services: Services, emulator: SlackEmulator
) -> None:
    emulator.fail_next("*", status=503, times=100)
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(sqlite_services, *ana(T0))
        gaps = []
        for _ in range(12):
            deliver_due(sqlite_services)
            row = alert_row(sqlite_services, alert_id)
            assert row.next_attempt_at is not None
            gaps.append((row.next_attempt_at - datetime.now(UTC)).total_seconds())
            clock.move_to(row.next_attempt_at)
        clock.move_to(T0 + timedelta(hours=24))
        assert deliver_due(sqlite_services) == DeliveryStats(failed=1)

    assert gaps[:4] == sorted(gaps[:4]), "the wait grows..."
    assert all(150 <= gap <= 300 for gap in gaps[-3:]), "...up to 5 minutes, jittered"
    row = alert_row(sqlite_services, alert_id)
    assert (row.status, row.last_error) == ("failed", "gave up after 24 h: 503 internal_error")
    assert posts_to(emulator, "C0EMEA") == []


def test_an_attempt_that_outlived_half_its_lease_does_not_post(
    sqlite_services: Services, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another replica may take the row once the lease is over; a late post could double it."""
    monkeypatch.setattr("bot.alerts.delivery.POST_BY", timedelta(seconds=-1))
    with freeze_time(T0):
        (alert_id,) = ingest(sqlite_services, *ana(T0))
        assert deliver_due(sqlite_services) == DeliveryStats(retried=1)

    assert emulator.calls_to("chat.postMessage") == []
    row = alert_row(sqlite_services, alert_id)
    assert row.status == "pending" and str(row.last_error).startswith("SlowAttempt")
