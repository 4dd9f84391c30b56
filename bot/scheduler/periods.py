"""Which period a run belongs to, and when the next one is due.

Periods are named in the team's time zone (``LEADSCORE_TIMEZONE``): decay
runs once per local day ("2026-11-23"), the digest once per ISO week of its
scheduled time ("2026-W48"). Those names are the lease keys, so every
replica derives the same one from the same instant.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.settings import DAYS, Settings

DECAY_TIME = time(0, 15)
"""Decay runs shortly after local midnight (any time would do: decay is schedule-independent)."""


def decay_period(now: datetime, zone: ZoneInfo) -> str:
    """The local day ``now`` falls in."""
    return now.astimezone(zone).date().isoformat()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_due_at(now: datetime, settings: Settings) -> datetime:
    """The most recent scheduled digest time at or before ``now``."""
    zone = settings.zone
    weekday, hour, minute = settings.digest_day_and_time
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - DAYS.index(weekday)) % 7)
    due = datetime.combine(day, time(hour, minute), tzinfo=zone)
    if due > local:
        due = datetime.combine(day - timedelta(days=7), time(hour, minute), tzinfo=zone)
    return due.astimezone(now.tzinfo)


def digest_period(due: datetime, zone: ZoneInfo) -> str:
    """The ISO week of a scheduled digest time, e.g. ``2026-W48``."""
    return iso_week(due.astimezone(zone).date())


def decay_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger(hour=DECAY_TIME.hour, minute=DECAY_TIME.minute, timezone=settings.zone)


def digest_trigger(settings: Settings) -> CronTrigger:
    weekday, hour, minute = settings.digest_day_and_time
    return CronTrigger(day_of_week=weekday, hour=hour, minute=minute, timezone=settings.zone)
