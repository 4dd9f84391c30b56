"""How times, activities and user data read in an alert: short, relative, escaped."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

# One wording and one escaping for every Slack surface (alerts, cards, rankings).
from bot.views.format import ago  # noqa: F401
from bot.views.limits import clip, escape  # noqa: F401
from scoring.evaluate import ActivityRecord


def waited(since: datetime, until: datetime) -> str:
    """How long between two moments, e.g. "7 min", "1 h 5 min", "less than a minute"."""
    minutes = int(max(0.0, (until - since).total_seconds()) // 60)
    if minutes == 0:
        return "less than a minute"
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def slack_date(at: datetime) -> str:
    """A date every reader sees in their own time zone, with a UTC fallback."""
    fallback = at.strftime("%a %d %b %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def activity_label(activity: ActivityRecord) -> str:
    """ "pricing page view", "demo request", "content download (whitepaper)"."""
    kind = activity.kind.replace("_", " ")
    if not activity.url:
        return kind
    path = urlsplit(activity.url).path.strip("/")
    page = path.rsplit("/", 1)[-1] if path else "home"
    return f"{page} page view" if activity.kind == "page_view" else f"{kind} ({page})"


def points(value: float) -> str:
    """Signed points, one decimal only when decay made them fractional."""
    return f"{value:+.1f}".removesuffix(".0")
