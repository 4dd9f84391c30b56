"""How numbers, times and states read in Slack: short, relative, in the team's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.views import mrkdwn
from storage.models import Alert

BAND_EMOJI = {"hot": ":fire:", "warm": ":large_yellow_circle:", "cold": ":snowflake:"}


def band(name: str) -> str:
    return f"{BAND_EMOJI.get(name, '')} {name}".strip()


def score(value: float) -> str:
    return f"{value:.0f}"


def points(value: float) -> str:
    """Signed points; decayed points keep one decimal so small decay is visible."""
    text = f"{value:+.1f}"
    return text.removesuffix(".0")


def ago(then: datetime | None, now: datetime) -> str:
    """Relative age such as 5 min ago, 3 h ago, 12 d ago; a future time reads just now."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} d ago"


def span(days: float) -> str:
    """A forward duration: "5 h", "3 days"."""
    if days < 1:
        hours = max(1, round(days * 24))
        return f"{hours} h" if hours < 24 else "1 day"
    whole = round(days)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A date and time people read in LEADSCORE_TIMEZONE, zone named."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M ") + str(zone.key)


def user(user_id: str | None) -> str:
    """A mention of a Slack user ID; anything that is not one is shown inert."""
    return mrkdwn.user(user_id)


def claim_state(alert: Alert | None, now: datetime) -> str:
    """Who owns the lead now, as the alert's buttons left it."""
    if alert is None:
        return "No alert yet"
    if alert.claimed_by:
        return f"Claimed by {user(alert.claimed_by)} {ago(alert.claimed_at, now)}"
    if alert.dismissed_by:
        reason = f": {mrkdwn.inline(alert.dismissed_reason, 300)}" if alert.dismissed_reason else ""
        return f"Marked not a fit by {user(alert.dismissed_by)}{reason}"
    if alert.snoozed_until and alert.snoozed_until > now:
        return f"Snoozed by {user(alert.snoozed_by)} for {span(_days(alert.snoozed_until, now))}"
    where = mrkdwn.channel(alert.channel)
    if alert.status == "failed":
        return f"Alert to {where} could not be posted"
    if alert.status != "sent":
        return f"Alert to {where} is on its way"
    owner = f", assigned to {user(alert.assignee)}" if alert.assignee else ""
    return f"Alerted in {where} {ago(alert.sent_at, now)}{owner}, unclaimed"


def claim_short(alert: Alert | None) -> str:
    """The one-word state for ranking rows."""
    if alert is None:
        return "no alert"
    if alert.claimed_by:
        return f"claimed by {user(alert.claimed_by)}"
    if alert.dismissed_by:
        return "not a fit"
    return "unclaimed"


def _days(later: datetime, now: datetime) -> float:
    return max(0.0, (later - now).total_seconds() / 86400)
