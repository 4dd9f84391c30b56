"""Each touched lead's behaviour tally after a batch: folded in where possible, replayed if not.

Most events are a known lead's newest activity: its stored tally takes the
batch's activities in time order and no history is read. The history is
read, and replayed, only for the leads whose tally cannot simply be
advanced: none stored yet; a tally of another rule set version (``rules
apply`` has not rescored the lead yet); one that does not cover the lead's
latest activity (written over by a replica of an earlier release); an
activity older than the lead's latest; or a deal event (whose entry score is
recomputed as of the deal's time from the history).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.ingest.rulebook import ActiveRules
from scoring.evaluate import ActivityRecord
from scoring.tally import Tally, fold, from_document, replay
from storage.activities import history
from storage.leads import LeadState


@dataclass
class BatchBehaviour:
    """The touched leads' tallies, and the histories that had to be read for some of them."""

    tallies: dict[int, Tally]
    histories: dict[int, list[ActivityRecord]]


def tally_batch(
    *,
    session: Session,
    touched: Mapping[int, LeadState],
    batch: Mapping[int, Sequence[ActivityRecord]],
    with_history: Collection[int],
    rules: ActiveRules,
) -> BatchBehaviour:
    """Tallies for every touched lead, after the batch's activities (already stored).

    ``batch`` holds each lead's activities from this batch in time order;
    ``with_history`` names leads whose full history the caller needs too
    (``histories`` holds theirs). A lead created by this batch has no stored
    history: its history is the batch.
    """
    tallies: dict[int, Tally] = {}
    histories: dict[int, list[ActivityRecord]] = {}
    to_read: list[int] = []
    for lead_id, lead in touched.items():
        activities = batch.get(lead_id, ())
        if lead.is_new:
            tallies[lead_id] = replay(rules.rule_set, rules.version, activities)
            if lead_id in with_history:
                histories[lead_id] = list(activities)
            continue
        stored = from_document(lead.behavior_tally, lead.last_activity_at)
        if (
            stored is not None
            and lead_id not in with_history
            and stored.takes(rules.version, activities)
        ):
            fold(rules.rule_set, stored, activities)
            tallies[lead_id] = stored
        else:
            to_read.append(lead_id)
    histories.update(history(session=session, lead_ids=to_read))
    for lead_id in to_read:
        tallies[lead_id] = replay(rules.rule_set, rules.version, histories.get(lead_id, ()))
    return BatchBehaviour(tallies, histories)
