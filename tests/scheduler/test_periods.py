"""Periods are named in the team's time zone, the same on every replica."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.scheduler.periods import decay_period, digest_due_at, digest_period
from bot.settings import Settings

BERLIN = Settings(_env_file=None, timezone="Europe/Berlin", digest_cron="mon 09:00")  # type: ignore[call-arg]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "due", "week"),
    [
        ("2026-11-30T08:00:00", "2026-11-30T08:00:00", "2026-W49"),  # 09:00 Berlin, on the dot
        ("2026-11-30T07:59:59", "2026-11-23T08:00:00", "2026-W48"),  # a second early: last week's
        ("2026-12-06T22:59:59", "2026-11-30T08:00:00", "2026-W49"),  # Sunday night
        ("2026-12-28T09:00:00", "2026-12-28T08:00:00", "2026-W53"),  # a 53-week year
        ("2027-01-04T08:30:00", "2027-01-04T08:00:00", "2027-W01"),
        ("2026-03-30T07:00:00", "2026-03-30T07:00:00", "2026-W14"),  # summer time: 09:00 = 07:00Z
    ],
)
def test_the_digest_period_is_the_iso_week_of_the_latest_digest_time(
    now: str, due: str, week: str
) -> None:
    found = digest_due_at(utc(now), BERLIN)
    assert found == utc(due)
    assert digest_period(found, BERLIN.zone) == week


def test_the_decay_period_is_the_local_day() -> None:
    assert decay_period(utc("2026-11-29T23:30:00"), BERLIN.zone) == "2026-11-30"
    assert decay_period(utc("2026-11-29T22:59:59"), BERLIN.zone) == "2026-11-29"
