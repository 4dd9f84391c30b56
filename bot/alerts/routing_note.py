"""The alert's "For ..." line: who has it and why, from the routing story stored with it.

"For <@U09>, owner of acme.io"; "For <@U01> (owner <@U09> is away)";
"<!here> nobody is available: ..." when everyone considered was passed over.
The ``@here`` is our own special mention, never taken from data; account
keys and reasons go through ``inline``.
"""

from __future__ import annotations

from typing import Any

from bot.views.mrkdwn import inline
from bot.views.routing import mention
from storage.models import Alert

HERE = "<!here>"


def assignment_text(alert: Alert) -> str:
    routing: dict[str, Any] = alert.routing or {}
    account = inline(str(routing.get("account", "")))
    owner = routing.get("owner")
    reasons = [
        f"{mention(str(user))} {inline(str(reason))}" for user, reason in routing.get("skipped", [])
    ]
    if routing.get("owner_unavailable"):
        reasons.insert(
            0,
            f"owner {mention(owner)} of {account} is {inline(str(routing['owner_unavailable']))}",
        )
    if alert.assignee is None:
        if routing.get("via") == "nobody":
            return f"{HERE} nobody is available: " + "; ".join(reasons)
        return "For anyone in the channel"
    text = f"For {mention(alert.assignee)}"
    if routing.get("via") == "owner" and owner == alert.assignee:
        text += f", owner of {account}"
    if routing.get("reassigned_from"):
        previous = ", ".join(mention(str(user)) for user in routing["reassigned_from"])
        text += f" (reassigned: not claimed in time by {previous})"
    if reasons:
        text += " (" + "; ".join(reasons) + ")"
    return text


def notifies_channel(alert: Alert) -> bool:
    return alert.assignee is None and (alert.routing or {}).get("via") == "nobody"
