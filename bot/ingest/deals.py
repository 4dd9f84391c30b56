"""Deal outcomes and the score a lead had when it entered the pipeline.

The entry score is recomputed as of the deal event's time from the activity
history up to that moment, so a late-arriving event, or a CSV backfill of
old deals, freezes the score the lead really had then, not today's.
A lead's latest entry is its current deal: an opportunity after a closed
deal opens a new entry; a later outcome revises the closed one; an older
outcome arriving late changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from scoring.evaluate import ActivityRecord, LeadScore, score_lead
from scoring.events import DealData
from storage.leads import LeadState
from storage.models import PipelineEntry


def apply_deal(
    *,
    session: Session,
    lead: LeadState,
    deal: DealData,
    at: datetime,
    entries: list[PipelineEntry],
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
) -> None:
    """Record an opportunity or an outcome against the lead's current pipeline entry."""
    if lead.deal_updated_at is None or lead.deal_updated_at <= at:
        lead.deal_stage = deal.stage
        lead.deal_updated_at = at
    current = entries[-1] if entries else None
    closed_before = current is not None and current.closed_at is not None and current.closed_at < at
    if current is None or (deal.stage == "opportunity" and closed_before):
        current = PipelineEntry(lead_id=lead.id, entered_at=at, score=0, fit=0, behavior=0)
        _freeze_score(current, lead, at, history, rules)
        entries.append(current)
    elif current.entered_at > at:
        _freeze_score(current, lead, at, history, rules)
    if deal.amount is not None:
        current.amount = deal.amount
    if deal.stage != "opportunity" and (current.closed_at is None or current.closed_at <= at):
        current.outcome = "won" if deal.stage == "closed_won" else "lost"
        current.closed_at = at
    session.add(current)


def _freeze_score(
    entry: PipelineEntry,
    lead: LeadState,
    at: datetime,
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
) -> None:
    result = score_as_of(lead, at, history, rules)
    entry.entered_at = at
    entry.score, entry.fit, entry.behavior = result.score, result.fit, result.behavior
    entry.rule_set_version = rules.version
    entry.rule_hits = {hit.name: round(hit.points, 6) for hit in result.hits}


def score_as_of(
    lead: LeadState, at: datetime, history: Sequence[ActivityRecord], rules: ActiveRules
) -> LeadScore:
    """The lead's score at a past instant, from the activities known before it."""
    past = [a for a in history if a.occurred_at <= at]
    return score_lead(rules.rule_set, profile_of(lead), past, now=at)
