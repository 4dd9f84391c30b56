"""Rescoring every lead after the rule set changed.

A points-only change (``scoring.rule_changes.points_only``: what calibration
suggests) rescores from each lead's stored tally and fit flags with one
set-based UPDATE per range of ids (``storage.rescoring``), reading no
history. Anything else, and any lead those cannot rescore, is replayed: one
page of leads (locked on PostgreSQL) is loaded with its history, scored in
memory and written back with one executemany, a handful of queries per
thousand leads. A rule change does not page SDRs: leads it makes hot are
marked as alerted-for-this-cycle without an alert.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from bot.ingest.heat import rescore, settle_without_alert
from bot.ingest.rulebook import ActiveRules, RuleBook
from scoring.rule_changes import points_only
from scoring.tally import replay
from storage.activities import history
from storage.decay import lead_id_bounds
from storage.engine import session_scope, yielding_to_ingest
from storage.leads import load_leads, save_leads
from storage.rescoring import lead_count, rescore_points

log = logging.getLogger(__name__)

PAGE = 1_000
CHUNK = 50_000
"""Leads per set-based rescoring transaction: short enough that ingest never waits long."""

Progress = Callable[[int], None]


def rescore_changed(
    *,
    engine: Engine,
    rulebook: RuleBook,
    previous: ActiveRules | None,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Rescore every lead not yet scored with the active rule set, which replaced ``previous``.

    Returns how many leads were rescored (leads ingest already rescored with
    the new version are left alone).
    """
    with session_scope(engine) as session:
        rules = rulebook.active(session)
        bounds = lead_id_bounds(session=session)
        total = lead_count(session=session)
    if bounds is None:
        return 0
    done = 0
    if previous is not None and points_only(previous.rule_set, rules.rule_set):
        for start in range(bounds[0] - 1, bounds[1], CHUNK):
            ids = (start, min(start + CHUNK, bounds[1]))
            count = _points_range(engine, rules, previous.version, now, ids)
            done += count
            if progress is not None:
                progress(count)
        if done >= total:  # every lead there was is rescored: no need to look for the rest
            return done
    return done + rescore_all(
        engine=engine, rulebook=rulebook, now=now, progress=progress, stale_only=True
    )


def _points_range(
    engine: Engine, rules: ActiveRules, previous: int, now: datetime, ids: tuple[int, int]
) -> int:
    """One chunk, giving way to ingest on PostgreSQL (see ``yielding_to_ingest``)."""
    return yielding_to_ingest(
        engine,
        lambda session: rescore_points(
            session=session,
            rule_set=rules.rule_set,
            previous=previous,
            version=rules.version,
            now=now,
            ids=ids,
        ),
        what=f"rescoring of leads {ids[0]}..{ids[1]}",
    )


def rescore_all(
    *,
    engine: Engine,
    rulebook: RuleBook,
    now: datetime,
    progress: Progress | None = None,
    stale_only: bool = False,
) -> int:
    """Replay every lead with the active rule set; returns how many were rescored.

    ``stale_only`` skips leads already scored with the active version.
    """
    after = 0
    done = 0
    while True:
        with session_scope(engine) as session:
            rules = rulebook.active(session)
            page = load_leads(
                session=session,
                after_id=after,
                limit=PAGE,
                lock=True,
                not_version=rules.version if stale_only else None,
            )
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
