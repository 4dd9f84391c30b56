"""Deal outcomes and the score a lead had when it entered the pipeline.

The entry score is recomputed as of the deal event's time from the activity
history up to that moment, so a late-arriving event, or a CSV backfill of
old deals, freezes the score the lead really had then, not today's. An
activity or profile change dated before an entry that arrives after it
updates the entry (``refreeze_late``), so import order never matters.
A lead's latest entry is its current deal: an opportunity after a closed
deal opens a new entry; a later outcome revises the closed one; an older
outcome arriving late changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session

from bot.ingest.heat import current_fit_flags
from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from scoring.entry_snapshot import entry_snapshot
from scoring.evaluate import ActivityRecord, LeadScore, score_flagged, score_lead
from scoring.events import DealData
from storage.leads import LeadState
from storage.pipeline import EntryState, entries_for, save_entries


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
    entry.entered_at = at
    refreeze(entry, lead, history, rules)


def refreeze(
    entry: EntryState,
    lead: LeadState,
    history: Sequence[ActivityRecord],
    rules: ActiveRules,
) -> None:
    """Score the entry as of its ``entered_at`` from what is known now, and keep a snapshot.

    Run when the entry is made and again when an event dated before it
    arrives later, so the order in which data is imported never changes the
    entry (or the calibration built on it).
    """
    past = [a for a in history if a.occurred_at <= entry.entered_at]
    if past:
        profile = profile_of(lead)
        result = score_lead(rules.rule_set, profile, past, now=entry.entered_at)
        hits = {hit.name: round(hit.points, 6) for hit in result.hits}
        entry.snapshot = entry_snapshot(profile, past)
    else:  # most backfilled deals: the fit alone, its rules shared with the lead's rescore
        result, hits = _fit_only(rules, current_fit_flags(lead, rules))
        # The working copy has the profile's fields; the snapshot copies what it keeps.
        entry.snapshot = entry_snapshot(lead, past)
    entry.score, entry.fit, entry.behavior = result.score, result.fit, result.behavior
    entry.rule_set_version = rules.version
    entry.rule_hits = dict(hits)


MAX_FIT_PROFILES = 4_096
"""Most distinct fit flags remembered per batch (a rule set with many fit rules has more)."""


def _fit_only(rules: ActiveRules, flags: str) -> tuple[LeadScore, dict[str, float]]:
    """The entry score and rule points of a lead with no activity, by its fit flags.

    They depend on nothing else, and the rows of a backfill fall into a few
    fit profiles, so each is scored once per batch.
    """
    known = rules.entry_scores.get(flags)
    if known is None:
        result = score_flagged(rules.rule_set, flags)
        known = (result, {hit.name: round(hit.points, 6) for hit in result.hits})
        if len(rules.entry_scores) < MAX_FIT_PROFILES:
            rules.entry_scores[flags] = known
    return known


def refreeze_late(
    *,
    session: Session,
    leads: Mapping[int, LeadState],
    since: Mapping[int, datetime],
    histories: Mapping[int, Sequence[ActivityRecord]],
    rules: ActiveRules,
) -> None:
    """Update the entries that late data belongs to: those entered at or after ``since[lead]``."""
    changed: list[EntryState] = []
    for lead_id, entries in entries_for(session=session, lead_ids=since).items():
        for entry in entries:
            if entry.entered_at >= since[lead_id]:
                refreeze(entry, leads[lead_id], histories.get(lead_id, ()), rules)
                changed.append(entry)
    save_entries(session=session, entries=changed)
