"""The account alert: which company is heating up, who from it did what, and Claim account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.alerts.alert_view import (
    ACTIONS_BLOCK,
    EVENT_TYPE,
    MAX_HEADER_TEXT,
    STATUS_BLOCK,
    AlertMessage,
    Block,
    activity_label,
    ago,
    button,
    section,
    status_text,
)
from bot.alerts.routing_note import assignment_text
from bot.views.mrkdwn import inline, plain
from bot.views.routing import account_field
from scoring.evaluate import ActivityRecord
from storage.activities import recent
from storage.models import Account, Alert, Lead

CLAIM_ACCOUNT = "account_claim"
MAX_PEOPLE = 10


def account_alert_message(session: Session, alert: Alert, now: datetime) -> AlertMessage:
    """The account alert in its current state (claimed or not), read from the database."""
    account = session.get(Account, alert.account_id) if alert.account_id else None
    heat = (alert.routing or {}).get("heat", [])
    people = [
        (lead, recent(session=session, lead_id=int(lead_id), limit=3))
        for lead_id, _ in heat[:MAX_PEOPLE]
        if (lead := session.get(Lead, int(lead_id))) is not None
    ]
    key = account.key if account else "an account"
    title = f":fire: Account heating up: {key}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(title, MAX_HEADER_TEXT)}},
        section(
            f"*{len(heat)} people* from {inline(key)} showed buying intent; "
            f"best score *{alert.score:.0f}*."
            + (f"\n{account_field(account).replace(chr(10), ': ', 1)}" if account else "")
        ),
        section("*Who and what*\n" + "\n".join(_person(lead, acts, now) for lead, acts in people)),
        *_state(alert, now),
    ]
    text = f"Account heating up: {inline(key)}, {len(heat)} people, best score {alert.score:.0f}"
    return AlertMessage(
        text=text,
        blocks=blocks,
        metadata={"event_type": EVENT_TYPE, "event_payload": {"alert_key": alert.alert_key}},
    )


def _person(lead: Lead, activities: Sequence[ActivityRecord], now: datetime) -> str:
    did = ", ".join(f"{inline(activity_label(a))} {ago(a.occurred_at, now)}" for a in activities)
    title = f" ({inline(lead.title)})" if lead.title else ""
    return f"• {inline(lead.name or lead.email)}{title}, score {lead.score:.0f}: {did or '—'}"


def _state(alert: Alert, now: datetime) -> list[Block]:
    status = status_text(alert, now)
    if alert.claimed_by is not None or alert.dismissed_at is not None:
        return [section(status or "", block_id=STATUS_BLOCK)]
    claim = button("Claim account", CLAIM_ACCOUNT, str(alert.id), style="primary")
    return [
        section(assignment_text(alert), block_id=STATUS_BLOCK),
        {"type": "actions", "block_id": ACTIONS_BLOCK, "elements": [claim]},
    ]
