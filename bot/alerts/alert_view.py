"""The hot-lead alert as Slack shows it: who, why, what they did, whose it is, and buttons.

Built from a ``ScoreCard`` (the same explanation ``/leadscore`` gives) plus the
alert row, so re-rendering after a click shows the current state: the
buttons give way to "Claimed by..." or "Not a fit..." once someone acted.
Every text is clipped to Slack's limits; ``text`` is always set because it is
what notifications and screen readers use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.alerts.routing_note import HERE, assignment_text, notifies_channel
from bot.scorecard import ScoreCard
from bot.views.format import ago
from bot.views.mrkdwn import clip, inline, mailto, plain, user
from bot.views.routing import account_field
from scoring.evaluate import ActivityRecord, RuleHit
from storage.models import Alert

EVENT_TYPE = "leadscore_alert"
CLAIM = "alert_claim"
NOT_FIT = "alert_not_fit"
SNOOZE = "alert_snooze"
ACTIONS_BLOCK = "alert_actions"
STATUS_BLOCK = "alert_status"
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BLOCKS = 50
RECENT_ACTIVITIES = 5
Block = dict[str, Any]


# How times, activities and user data read in an alert: short, relative, escaped.
# ``ago`` and ``clip`` are the shared ones, so every Slack surface words them alike.


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


@dataclass(frozen=True)
class AlertMessage:
    text: str
    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)


def alert_message(card: ScoreCard, alert: Alert, now: datetime) -> AlertMessage:
    """The whole alert, in the state the alert row is in at ``now``."""
    blocks = [
        header_block(card),
        who_block(card),
        reasons_block(card.result.hits),
        activity_block(card.recent, now),
        *state_blocks(alert, now),
    ]
    # Slack asks for new block_ids each time a message is updated.
    revision = _revision(alert, now)
    for block in blocks:
        if "block_id" in block:
            block["block_id"] = f"{block['block_id']}.{revision}"
    return AlertMessage(
        text=fallback_text(card, alert, now),
        blocks=blocks[:MAX_BLOCKS],
        metadata={"event_type": EVENT_TYPE, "event_payload": {"alert_key": alert.alert_key}},
    )


def lead_name(card: ScoreCard) -> str:
    return card.lead.name or card.lead.email


def header_block(card: ScoreCard) -> Block:
    title = f":fire: Hot lead: {lead_name(card)}"
    if card.lead.company:
        title += f" at {card.lead.company}"
    return {"type": "header", "text": {"type": "plain_text", "text": plain(title, MAX_HEADER_TEXT)}}


def score_text(card: ScoreCard) -> str:
    result = card.result
    return f"*{result.score:.0f}* (fit {result.fit:.0f} · behaviour {result.behavior:.0f})"


def who_block(card: ScoreCard) -> Block:
    lead = card.lead
    company = inline(lead.company or "—", 500)
    if lead.company_size:
        company += f" · {lead.company_size} people"
    fields = [
        f"*Who*\n{inline(lead.name or '—', 500)}\n{mailto(lead.email)}",
        f"*Title*\n{inline(lead.title or '—', 500)}",
        f"*Company*\n{company}",
        f"*Score*\n{score_text(card)}",
        *([account_field(card.account)] if card.account else []),
    ]
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(text, MAX_FIELD_TEXT)} for text in fields],
    }


def reason_line(hit: RuleHit) -> str:
    repeated = f" ×{hit.count}" if hit.count > 1 else ""
    return f"• {inline(hit.name, 300)}{repeated} {points(hit.points)}"


def top_reasons(hits: Sequence[RuleHit], count: int = 3) -> list[RuleHit]:
    """The rules that pushed the score up the most."""
    positive = [hit for hit in hits if hit.points > 0]
    return sorted(positive, key=lambda hit: (-hit.points, hit.name))[:count]


def reasons_block(hits: Sequence[RuleHit]) -> Block:
    lines = [reason_line(hit) for hit in top_reasons(hits)] or ["• no single rule stands out"]
    return section("*Top reasons*\n" + "\n".join(lines))


def activity_block(recent: Sequence[ActivityRecord], now: datetime) -> Block:
    lines = [
        f"• {inline(activity_label(a), 300)} · {ago(a.occurred_at, now)}"
        for a in recent[:RECENT_ACTIVITIES]
    ]
    return section("*Recent activity*\n" + ("\n".join(lines) or "• none recorded"))


def state_blocks(alert: Alert, now: datetime) -> list[Block]:
    """Status line and buttons: what has happened to the alert so far."""
    status = status_text(alert, now)
    if alert.dismissed_at is not None or alert.claimed_by is not None:
        return [section(status or "", block_id=STATUS_BLOCK)]
    lines = [assignment_text(alert), *([status] if status else [])]
    return [section("\n".join(lines), block_id=STATUS_BLOCK), actions_block(alert)]


def status_text(alert: Alert, now: datetime) -> str | None:
    if alert.dismissed_at is not None:
        reason = inline(alert.dismissed_reason or "no reason given", 300)
        return f":no_entry_sign: Not a fit ({reason}), marked by {user(alert.dismissed_by)}"
    if alert.claimed_by is not None and alert.claimed_at is not None:
        since = alert.sent_at or alert.created_at
        taken = waited(since, alert.claimed_at)
        return (
            f":white_check_mark: Claimed by {user(alert.claimed_by)} {taken} after the alert "
            f"({slack_date(alert.claimed_at)})"
        )
    if alert.snoozed_until is not None and alert.snoozed_until > now:
        return (
            f":zzz: Snoozed by {user(alert.snoozed_by)} until {slack_date(alert.snoozed_until)}: "
            "no escalation until then"
        )
    return None


def actions_block(alert: Alert) -> Block:
    value = str(alert.id)
    return {
        "type": "actions",
        "block_id": ACTIONS_BLOCK,
        "elements": [
            button("Claim", CLAIM, value, style="primary"),
            button("Not a fit", NOT_FIT, value),
            button("Snooze 1 day", SNOOZE, value),
        ],
    }


def fallback_text(card: ScoreCard, alert: Alert, now: datetime) -> str:
    """One line for notifications; mentions the assignee so they are pinged."""
    text = f"Hot lead: {inline(lead_name(card), 200)} ({inline(card.lead.email, 200)})"
    if card.lead.company:
        text += f" at {inline(card.lead.company, 200)}"
    text += f", score {card.result.score:.0f}"
    status = status_text(alert, now)
    if status:
        return f"{text}. {status.split(' ', 1)[1]}"
    if notifies_channel(alert):
        return f"{HERE} {text}, nobody is available"
    return f"{text}, for {user(alert.assignee)}" if alert.assignee else text


def _revision(alert: Alert, now: datetime) -> str:
    """A short stamp that changes with the alert's state and the moment it is drawn."""
    state = (
        f"{now.isoformat()}|{alert.claimed_by}|{alert.dismissed_at}|{alert.snoozed_until}"
        f"|{alert.assignee}|{alert.message_ts}"
    )
    return hashlib.sha1(state.encode(), usedforsecurity=False).hexdigest()[:8]


def section(text: str, **extra: Any) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)},
        **extra,
    }


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(label, MAX_BUTTON_TEXT)},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def refusal_text(alert: Alert, user_id: str) -> str:
    """Why a click changed nothing: someone got there first (ephemeral, to the clicker)."""
    if alert.dismissed_at is not None:
        reason = inline(alert.dismissed_reason or "no reason given", 300)
        return f"{user(alert.dismissed_by)} already marked this lead not a fit ({reason})."
    if alert.claimed_by == user_id:
        return "You already claimed this lead."
    if alert.claimed_by is not None:
        return f"This lead is already claimed by {user(alert.claimed_by)}; nothing changed."
    return "Nothing changed."
