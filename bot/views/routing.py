"""Routing as SDRs read it: absences, an account's leads and owner, "my accounts".

Every outside text (account keys, names, companies) goes through ``inline``;
user mentions are built only from ids that look like Slack ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.views import format as fmt
from bot.views.limits import Block, context, divider, header, line_sections, section
from bot.views.message import Message
from bot.views.mrkdwn import inline, user
from storage.models import Account, Lead


def mention(user_id: str | None) -> str:
    """``<@U01>`` for a Slack user id; anything else shown as inert text."""
    return user(user_id, fallback="nobody")


def away_message(until: date | None) -> Message:
    if until is None:
        text = "You are away: no leads will be routed to you until `/leadscore back`."
    else:
        text = (
            f"You are away until {until.isoformat()}: no leads will be routed to you "
            "until the day after (or `/leadscore back`)."
        )
    return Message(text=text, blocks=[section(f":palm_tree: {text}")])


def back_message(was_away: bool) -> Message:
    text = "Welcome back: leads are routed to you again." if was_away else "You were not away."
    return Message(text=text, blocks=[section(f":wave: {text}")])


def owner_line(account: Account | None) -> str:
    """ "Account *acme.io* · owner <@U1>" for a score card or alert."""
    if account is None:
        return "Account: none (personal email)"
    owner = mention(account.owner_id) if account.owner_id else "no owner yet"
    if account.owner_id is None and account.owner_email:
        owner = f"{inline(account.owner_email)} (looking up in Slack)"
    return f"Account *{inline(account.key)}* · owner {owner}"


def account_field(account: Account) -> str:
    """The alert's Account field: "acme.io · owner <@U1>"."""
    owner = mention(account.owner_id) if account.owner_id else "no owner yet"
    return f"*Account*\n{inline(account.key)} · {owner}"


def account_message(
    account: Account | None, leads: Sequence[Lead], *, asked: str, now: datetime
) -> Message:
    """``/leadscore account <domain>``: the owner and the leads, best first."""
    if account is None:
        text = f"No account {inline(asked)} yet."
        return Message(text=text, blocks=[section(text)])
    lines = [
        f"• {inline(lead.name or lead.email)} · {fmt.score(lead.score)} {fmt.band(lead.band)}"
        f" · last active {fmt.ago(lead.last_activity_at, now)}"
        for lead in leads
    ]
    blocks: list[Block] = [section(owner_line(account))]
    blocks += line_sections(lines or ["_no leads yet_"], title="Leads", max_sections=5)
    blocks.append(context("Best score first. Claiming a lead of an unowned account owns it."))
    return Message(text=f"Account {account.key}: {len(leads)} leads", blocks=blocks)


def my_accounts_blocks(accounts: Sequence[Account]) -> list[Block]:
    """The App Home's "Your accounts": their hot leads come to you first."""
    lines = [f"• {inline(account.key)}" for account in accounts]
    return [
        header("Your accounts"),
        *line_sections(
            lines or ["_You own no account yet: claim a lead of an unowned company._"],
            max_sections=3,
        ),
        context("Hot leads of your accounts come to you first; `/leadscore account <domain>`."),
        divider(),
    ]
