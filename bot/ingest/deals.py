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

from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from scoring.evaluate import ActivityRecord, LeadScore, score_lead
from scoring.events import DealData
from storage.leads import LeadState
from storage.pipeline import EntryState


def apply_deal(
    *,
    lead: LeadState,
    deal: DealData,
    at: datetime,
    entries: list[EntryState],
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
) -> None:
    """Record an opportunity or an outcome against the entry it belongs to in time.

    ``entries`` are changed or added to in place; the caller saves them
    (``storage.pipeline.save_entries``).
    """
    if lead.deal_updated_at is None or lead.deal_updated_at <= at:
        lead.deal_stage = deal.stage
        lead.deal_updated_at = at
    before = [entry for entry in entries if entry.entered_at <= at]
    target = before[-1] if before else None
    if deal.stage == "opportunity":
        _open(lead, at, entries, target, history, rules, deal.amount)
    else:
        _close(lead, at, entries, target, history, rules, deal)


def _open(
    lead: LeadState,
    at: datetime,
    entries: list[EntryState],
    target: EntryState | None,
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
    amount: float | None,
) -> None:
    if target is None and entries:
        target = entries[0]  # the deal opened earlier than we first heard of it
        _freeze_score(target, lead, at, history, rules)
    elif target is None or (target is entries[-1] and _closed_before(target, at)):
        target = _new_entry(lead, at, history, rules)
        entries.append(target)
    elif target is not entries[-1]:
        return  # a later deal already exists; this opportunity is history
    if amount is not None:
        target.amount = amount


def _close(
    lead: LeadState,
    at: datetime,
    entries: list[EntryState],
    target: EntryState | None,
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
    deal: DealData,
) -> None:
    if target is None:
        if entries:
            return  # an outcome older than every known deal: stale
        target = _new_entry(lead, at, history, rules)  # first outcome, no opportunity seen
        entries.append(target)
    if target.closed_at is not None and target.closed_at > at:
        return  # a newer outcome is already recorded
    target.outcome = "won" if deal.stage == "closed_won" else "lost"
    target.closed_at = at
    if deal.amount is not None:
        target.amount = deal.amount


def _closed_before(entry: EntryState, at: datetime) -> bool:
    return entry.closed_at is not None and entry.closed_at < at


def _new_entry(
    lead: LeadState, at: datetime, history: Sequence[ActivityRecord], rules: ActiveRules
) -> EntryState:
    entry = EntryState(lead_id=lead.id, entered_at=at, score=0, fit=0, behavior=0)
    _freeze_score(entry, lead, at, history, rules)
    return entry


def _freeze_score(
    entry: EntryState,
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
