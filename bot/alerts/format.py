"""How times, activities and user data read in an alert: short, relative, escaped."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from scoring.evaluate import ActivityRecord


def escape(text: str) -> str:
    """Slack mrkdwn control characters in user data (a name like "<b>" stays literal)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ago(then: datetime, now: datetime) -> str:
    """ "just now", "5 min ago", "3 h ago", "12 d ago" (a future time reads "just now")."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


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
