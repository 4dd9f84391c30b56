"""``/leadscore top [N] [hot|warm|all]``: the best leads now, with who owns them.

The ranking is read from the score index (no count, no scan) and the claims
of the listed leads come in one query.
"""

from __future__ import annotations

from bot.services import Services
from bot.slash_command.parse import TopQuery
from bot.views.message import Message
from bot.views.ranking import ranking_message
from storage.engine import read_scope
from storage.lookup import latest_alerts, top_leads

EMPTY = {
    "hot": "No hot lead right now.",
    "warm": "No warm lead right now.",
    "all": "No leads yet: events arrive through POST /ingest or `leadscore import`.",
}


def top_answer(services: Services, query: TopQuery) -> Message:
    with read_scope(services.engine) as session:
        thresholds = services.rulebook.active(session).rule_set.thresholds
        low, below = {
            "hot": (thresholds.hot, None),
            "warm": (thresholds.warm, thresholds.hot),
            "all": (None, None),
        }[query.band]
        leads = top_leads(session=session, limit=query.limit, min_score=low, below=below)
        alerts = latest_alerts(session=session, lead_ids=[lead.id or 0 for lead in leads])
    band = "" if query.band == "all" else f"{query.band} "
    count = f"{len(leads)} " if leads else ""
    return ranking_message(
        leads,
        alerts=alerts,
        title=f"Top {count}{band}leads",
        now=services.clock(),
        note=query.note,
        empty=EMPTY[query.band],
    )
