"""Looking leads up for a person: one lead's score card, and the ranking.

The use cases behind ``leadscore score`` and ``leadscore top``: each opens
its own read-only transaction, so the command only parses its arguments,
calls one of these and prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.scorecard import ScoreCard, build_score_card
from storage.engine import read_scope
from storage.lookup import current_alert, lead_by_email, top_leads
from storage.models import Lead

if TYPE_CHECKING:
    from bot.services import Services

__all__ = ["Lead", "ScoreCard", "ranked_leads", "score_card_for"]


def score_card_for(services: Services, email: str) -> ScoreCard | None:
    """The lead's score card as of now, explained from its history; None if unknown."""
    with read_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        if lead is None:
            return None
        rules = services.rulebook.active(session)
        alert = current_alert(session=session, lead_id=lead.id or 0)
        return build_score_card(
            session=session, lead=lead, rules=rules, alert=alert, now=services.clock()
        )


def ranked_leads(services: Services, *, limit: int) -> list[Lead]:
    """The ``limit`` highest-scoring leads, best first."""
    with read_scope(services.engine) as session:
        return top_leads(session=session, limit=limit)
