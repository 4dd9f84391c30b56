"""A lead's score card: the number, why, and what happens next.

Built once and rendered by the CLI (text and JSON) and by Slack (Block Kit),
so every surface explains a score the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.card_shape import card_json
from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from scoring.decay import next_decay_step
from scoring.evaluate import ActivityRecord, LeadScore, score_lead
from storage.activities import history
from storage.models import Account, Alert, Lead


@dataclass(frozen=True)
class ScoreCard:
    lead: Lead
    result: LeadScore
    rule_set_version: int
    recent: list[ActivityRecord]
    alert: Alert | None
    decay_starts_in_days: float | None
    now: datetime
    account: Account | None = None
    """The lead's account and its owner; None for personal email."""

    def to_json(self) -> dict[str, Any]:
        """The contract's ``score EMAIL --json`` shape (``bot.card_shape``)."""
        return card_json(self)


def build_score_card(
    *, session: Session, lead: Lead, rules: ActiveRules, alert: Alert | None, now: datetime
) -> ScoreCard:
    """Explain the lead's score at ``now`` from its stored history."""
    assert lead.id is not None
    records = history(session=session, lead_ids=[lead.id]).get(lead.id, [])
    result = score_lead(rules.rule_set, profile_of(lead), records, now=now)
    starts_in = None
    if result.last_activity_at is not None:
        starts_in = next_decay_step(rules.rule_set.decay, result.last_activity_at, now)
    return ScoreCard(
        lead=lead,
        result=result,
        rule_set_version=rules.version,
        recent=list(reversed(records[-5:])),
        alert=alert,
        decay_starts_in_days=starts_in,
        now=now,
        account=session.get(Account, lead.account_id) if lead.account_id else None,
    )
