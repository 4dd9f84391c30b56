"""Alerts Slack refused for good, summarised for managers (``/leadscore help``).

A permanent error (``channel_not_found``, ``not_in_channel``...) means a hot
lead nobody was told about; it is logged once and then shown here, grouped by
channel and error, with what to do about it, until someone fixes the cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.views import mrkdwn
from storage.outbox import FailedGroup, failed_groups

FIXES = {
    "channel_not_found": "check the channel ID in the rule set's routing",
    "not_in_channel": "invite the bot to the channel",
    "is_archived": "unarchive the channel or route elsewhere",
    "invalid_auth": "the bot token is no longer valid: reinstall the app",
    "account_inactive": "the bot token is no longer valid: reinstall the app",
    "token_revoked": "the bot token is no longer valid: reinstall the app",
    "missing_scope": "reinstall the app with the chat:write scope",
}


@dataclass(frozen=True)
class FailedAlertsSummary:
    """How many alerts failed for good, grouped by channel and error."""

    count: int
    groups: list[FailedGroup] = field(default_factory=list)

    def describe(self, limit: int = 5) -> str | None:
        """A few mrkdwn lines for managers, or None when nothing failed."""
        if self.count == 0:
            return None
        plural = "alert" if self.count == 1 else "alerts"
        lines = [f":warning: {self.count} hot-lead {plural} could not be posted to Slack:"]
        for group in self.groups[:limit]:
            fix = FIXES.get(group.error)
            advice = f": {fix}" if fix else ""
            lines.append(
                f"• {mrkdwn.channel(group.channel)}: `{mrkdwn.inline(group.error, 100)}` "
                f"× {group.count} "
                f"(latest {group.latest_at:%Y-%m-%d %H:%M} UTC){advice}"
            )
        if len(self.groups) > limit:
            lines.append(f"• and {len(self.groups) - limit} more")
        return "\n".join(lines)


def failed_alerts_summary(session: Session) -> FailedAlertsSummary:
    """Failed alerts for ``/leadscore help``; ``.describe()`` is None when there are none."""
    groups = failed_groups(session=session)
    return FailedAlertsSummary(count=sum(g.count for g in groups), groups=groups)
