"""The App Home tab: my claimed leads, hot leads nobody has claimed, the rule version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.views import format as fmt
from bot.views.limits import (
    MAX_HOME_BLOCKS,
    Block,
    context,
    divider,
    header,
    line_sections,
    within_block_limit,
)
from bot.views.mrkdwn import inline
from bot.views.routing import my_accounts_blocks
from storage.models import Account, Alert, Lead, RuleSetVersion


def home_view(
    *,
    claimed: Sequence[tuple[Lead, Alert]],
    hot: Sequence[tuple[Lead, Alert | None]],
    version: RuleSetVersion | None,
    zone: ZoneInfo,
    now: datetime,
    accounts: Sequence[Account] = (),
) -> dict[str, Any]:
    """The ``views.publish`` payload for one user."""
    mine = [
        f"• *{fmt.score(lead.score)}* {fmt.band(lead.band)} {_who(lead)} · "
        f"claimed {fmt.ago(alert.claimed_at, now)} · active {fmt.ago(lead.last_activity_at, now)}"
        for lead, alert in claimed
    ]
    waiting = [
        f"• *{fmt.score(lead.score)}* {_who(lead)} · {fmt.claim_state(alert, now)}"
        for lead, alert in hot
    ]
    blocks: list[Block] = [
        header("Your leads"),
        *line_sections(mine or ["_You have not claimed any lead yet._"], max_sections=10),
        divider(),
        header("Hot leads waiting for a claim"),
        *line_sections(waiting or ["_No unclaimed hot lead right now._"], max_sections=10),
        divider(),
        *my_accounts_blocks(accounts),
        context(_rules_line(version, zone), f"updated {fmt.local_time(now, zone)}"),
        context("Type `/leadscore help` in any channel for scores, rankings and rules."),
    ]
    return {"type": "home", "blocks": within_block_limit(blocks, max_blocks=MAX_HOME_BLOCKS)}


def _who(lead: Lead) -> str:
    name = inline(lead.name, 200) or inline(lead.email, 200)
    company = f" ({inline(lead.company, 200)})" if lead.company else ""
    return f"*{name}*{company} {inline(lead.email, 200) if lead.name else ''}".rstrip()


def _rules_line(version: RuleSetVersion | None, zone: ZoneInfo) -> str:
    if version is None:
        return "No rule set applied yet"
    when = fmt.local_time(version.activated_at, zone)
    return f"Rule set “{inline(version.name, 200)}” v{version.version}, active since {when}"
