"""What was due while the app was down runs when it comes back, once.

The team is in Berlin with the digest on Mondays at 09:00 (08:00 UTC in
winter). The app runs on Sunday, is down over Monday morning, and comes back
on Tuesday: Monday's digest is posted then, and today's decay runs; a second
start (or a second replica) runs neither again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.scheduler import catch_up, digest_job
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from storage.models import JobRun

BERLIN = ZoneInfo("Europe/Berlin")
SUNDAY = datetime(2026, 11, 29, 18, 0, tzinfo=BERLIN)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def berlin(services: Services) -> Services:
    services.settings = services.settings.model_copy(
        update={"timezone": "Europe/Berlin", "digest_cron": "mon 09:00"}
    )
    return services


def _start_up(services: Services, at: datetime) -> list[tuple[str, str, bool]]:
    with freeze_time(at):
        return [(r.job, r.period, r.ran) for r in catch_up(services, services.clock())]


def _digests(emulator: SlackEmulator) -> list[dict[str, object]]:
    """Messages Slack accepted (a refused attempt posts nothing)."""
    calls = emulator.calls_to("chat.postMessage")
    return [call.params for call in calls if call.response and call.response.get("ok")]


def test_a_digest_missed_while_down_is_posted_when_the_app_comes_back(
    berlin: Services, emulator: SlackEmulator
) -> None:
    # Sunday: first start. Last Monday's digest was before the app ever ran: not "missed".
    assert _start_up(berlin, SUNDAY) == [("decay", "2026-11-29", True)]
    assert _digests(emulator) == []
    # Down over Monday 09:00; back on Tuesday.
    assert _start_up(berlin, TUESDAY) == [
        ("decay", "2026-12-01", True),
        ("digest", "2026-W49", True),
    ]
    assert len(_digests(emulator)) == 1
    assert _digests(emulator)[0]["channel"] == "C0DIGEST"
    # Restarted an hour later: nothing runs twice.
    assert _start_up(berlin, TUESDAY.replace(hour=11)) == []
    assert len(_digests(emulator)) == 1
    with session_scope(berlin.engine) as session:
        runs = session.exec(select(JobRun.job, JobRun.period, JobRun.outcome)).all()  # type: ignore[call-overload]
    assert sorted((job, period) for job, period, _ in runs) == [
        ("decay", "2026-11-29"),
        ("decay", "2026-12-01"),
        ("digest", "2026-W49"),
    ]
    assert all(outcome.startswith("ok") for _, _, outcome in runs)


def test_the_digest_fires_at_its_time_and_the_catch_up_does_not_repeat_it(
    berlin: Services, emulator: SlackEmulator
) -> None:
    _start_up(berlin, SUNDAY)
    with freeze_time(MONDAY_9):
        fired = digest_job(berlin, berlin.clock())
    assert (fired.period, fired.ran) == ("2026-W49", True)
    assert _start_up(berlin, MONDAY_9.replace(minute=5)) == [("decay", "2026-11-30", True)]
    assert len(_digests(emulator)) == 1


def test_a_digest_that_failed_is_retried_by_the_next_check(
    berlin: Services, emulator: SlackEmulator
) -> None:
    _start_up(berlin, SUNDAY)
    emulator.fail_next("chat.postMessage", error="internal_error")
    with freeze_time(MONDAY_9):
        failed = digest_job(berlin, berlin.clock())
    assert failed.failed
    assert _start_up(berlin, MONDAY_9.replace(minute=5)) == [
        ("decay", "2026-11-30", True),
        ("digest", "2026-W49", True),
    ]
    assert len(_digests(emulator)) == 1
    assert _start_up(berlin, MONDAY_9.replace(minute=10)) == []
    assert len(_digests(emulator)) == 1
