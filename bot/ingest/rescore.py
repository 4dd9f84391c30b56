"""Rescoring every lead after the rule set changed, in batches.

One page of leads (locked on PostgreSQL) is loaded with its history, scored
in memory and written back with one executemany: a handful of queries per
thousand leads, never one per lead. A rule change does not page SDRs: leads
it makes hot are marked as alerted-for-this-cycle without an alert.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from bot.ingest.heat import rescore, settle_without_alert
from bot.ingest.rulebook import RuleBook
from scoring.tally import replay
from storage.activities import history
from storage.engine import session_scope
from storage.leads import load_leads, save_leads

PAGE = 1_000


def rescore_all(
    *,
    engine: Engine,
    rulebook: RuleBook,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rescore every lead with the active rule set; returns how many were rescored."""
    after = 0
    done = 0
    while True:
        with session_scope(engine) as session:
            rules = rulebook.active(session)
            page = load_leads(session=session, after_id=after, limit=PAGE, lock=True)
            if not page:
                return done
            histories = history(session=session, lead_ids=[lead.id for lead in page])
            for lead in page:
                tally = replay(rules.rule_set, rules.version, histories.get(lead.id, []))
                rescore(lead, rules, tally, now)
                settle_without_alert(lead, rules.rule_set)
            save_leads(session=session, leads=page)
        after = page[-1].id
        done += len(page)
        if progress is not None:
            progress(len(page))
