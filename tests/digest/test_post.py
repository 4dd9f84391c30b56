"""The weekly digest as the digest channel sees it, through the local Slack emulator."""

from __future__ import annotations

import logging

import pytest

from bot.digest.post import post_weekly_digest
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.calibration import get_report
from storage.engine import session_scope
from tests.conftest import make_services, make_settings
from tests.digest.conftest import assert_within_limits, buttons, texts
from tests.digest.worlds import NOW, ingest_leads, small_world, synthetic_world

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_digest_posts_summary_chart_and_apply_button(
    services: Services, emulator: SlackEmulator
) -> None:
    ingest_leads(services, synthetic_world(size=200))
    report_id = post_weekly_digest(services, period="2026-W49", now=NOW)

    [post] = emulator.calls_to("chat.postMessage")
    message = post.params
    assert message["channel"] == "C0DIGEST"
    assert message["text"].startswith("Weekly calibration digest 2026-W49: 200 deals closed")
    assert_within_limits(message["blocks"])
    assert "Per-rule lift" in texts(message["blocks"])
    assert "of these deals would have entered as hot, against 0.0% now" in texts(message["blocks"])
    [apply] = buttons(message["blocks"])
    assert apply["action_id"] == "digest_apply"
    assert apply["value"] == str(report_id)

    assert len(emulator.calls_to("files.getUploadURLExternal")) == 1
    [complete] = emulator.calls_to("files.completeUploadExternal")
    [posted] = emulator.messages["C0DIGEST"][:1]
    assert complete.params["channel_id"] == "C0DIGEST"
    assert complete.params["thread_ts"] == posted["ts"]
    [file_id] = emulator.files
    assert emulator.uploaded_bytes(file_id).startswith(PNG_MAGIC)
    assert emulator.files[file_id]["name"] == "calibration-2026-W49.png"

    with session_scope(services.engine) as session:
        row = get_report(session=session, report_id=report_id or 0)
        assert row is not None
        assert (row.period, row.channel, row.message_ts) == ("2026-W49", "C0DIGEST", posted["ts"])
        assert row.report["closed"] == 200
        assert row.suggested_rules and "Pricing page visit" in row.suggested_rules


def test_the_same_week_is_posted_once(services: Services, emulator: SlackEmulator) -> None:
    ingest_leads(services, small_world())
    first = post_weekly_digest(services, period="2026-W49", now=NOW)
    second = post_weekly_digest(services, period="2026-W49", now=NOW)

    assert first is not None and first == second
    assert len(emulator.calls_to("chat.postMessage")) == 1
    assert len(emulator.calls_to("files.completeUploadExternal")) == 1
    third = post_weekly_digest(services, period="2026-W50", now=NOW)
    assert third not in (None, first)
    assert len(emulator.calls_to("chat.postMessage")) == 2


def test_a_failed_post_is_retried_on_the_same_report(
    sqlite_services: Services, emulator: SlackEmulator
) -> None:
    ingest_leads(sqlite_services, small_world())
    emulator.fail_next("chat.postMessage", status=500)
    with pytest.raises(Exception):  # noqa: B017 - the scheduler records whatever Slack raised
        post_weekly_digest(sqlite_services, period="2026-W49", now=NOW)
    retried = post_weekly_digest(sqlite_services, period="2026-W49", now=NOW)

    assert retried == 1  # the row stored before the failure, now posted
    assert len(emulator.messages["C0DIGEST"]) == 2  # the summary and the chart reply


def test_a_failed_chart_upload_keeps_the_summary(
    sqlite_services: Services, emulator: SlackEmulator
) -> None:
    ingest_leads(sqlite_services, small_world())
    emulator.fail_next("files.getUploadURLExternal", error="ratelimited", status=200)
    report_id = post_weekly_digest(sqlite_services, period="2026-W49", now=NOW)

    assert report_id is not None
    assert len(emulator.calls_to("chat.postMessage")) == 1
    assert post_weekly_digest(sqlite_services, period="2026-W49", now=NOW) == report_id
    assert len(emulator.calls_to("chat.postMessage")) == 1


def test_thin_data_digest_has_counts_no_button_no_chart(
    sqlite_services: Services, emulator: SlackEmulator
) -> None:
    ingest_leads(sqlite_services, small_world()[:4])
    post_weekly_digest(sqlite_services, period="2026-W49", now=NOW)

    [post] = emulator.calls_to("chat.postMessage")
    assert "Not enough data" in texts(post.params["blocks"])
    assert buttons(post.params["blocks"]) == []
    assert emulator.calls_to("files.getUploadURLExternal") == []


def test_no_digest_channel_logs_once_and_posts_nothing(
    sqlite_database_url: str, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(sqlite_database_url, emulator, digest_channel=None)
    services = make_services(settings, emulator)
    with caplog.at_level(logging.WARNING, logger="bot.digest.post"):
        assert post_weekly_digest(services, period="2026-W49", now=NOW) is None
        assert post_weekly_digest(services, period="2026-W50", now=NOW) is None
    services.engine.dispose()

    assert [r.getMessage() for r in caplog.records].count(
        "LEADSCORE_DIGEST_CHANNEL is not set: the weekly digest is not posted"
    ) == 1
    assert emulator.calls_to("chat.postMessage") == []
