"""``/leadscore <email>`` and ``/leadscore <company>``.

The score card replays one lead's history only (a few indexed queries), so it
stays fast with a million leads; misses suggest the closest names instead of
a dead end.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.scorecard import ScoreCard, build_score_card
from bot.services import Services
from bot.slash_command.suggest import closest
from bot.views.message import Message
from bot.views.not_found import not_found_message
from bot.views.ranking import company_message
from bot.views.score_card import score_card_message
from scoring.rule_set import Decay
from storage.engine import read_scope
from storage.lookup import (
    company_names,
    current_alert,
    emails_near,
    latest_alerts,
    lead_by_email,
    leads_of_company,
)
from storage.models import Lead

COMPANY_ROWS = 50


def load_card(services: Services, email: str) -> tuple[ScoreCard, Decay] | None:
    """The lead's score card as of now, with the decay settings that explain it."""
    with read_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        if lead is None:
            return None
        return _card(services, session, lead)


def _card(services: Services, session: Session, lead: Lead) -> tuple[ScoreCard, Decay]:
    rules = services.rulebook.active(session)
    alert = current_alert(session=session, lead_id=lead.id or 0)
    card = build_score_card(
        session=session, lead=lead, rules=rules, alert=alert, now=services.clock()
    )
    return card, rules.rule_set.decay


def lead_answer(services: Services, email: str) -> Message:
    with read_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        if lead is None:
            return _email_not_found(session, email)
        card, decay = _card(services, session, lead)
    return score_card_message(card, decay=decay)


def company_answer(services: Services, name: str) -> Message:
    with read_scope(services.engine) as session:
        leads, total = leads_of_company(session=session, company=name, limit=COMPANY_ROWS)
        if total == 0:
            close = close_companies(session, name)
            return not_found_message(name, kind="company", companies=close)
        if total == 1:
            card, decay = _card(services, session, leads[0])
            return score_card_message(card, decay=decay)
        alerts = latest_alerts(session=session, lead_ids=[lead.id or 0 for lead in leads])
    return company_message(name, leads, total=total, alerts=alerts, now=services.clock())


def close_companies(session: Session, name: str, *, n: int = 5) -> list[str]:
    """Company names that look like ``name`` (same first letter, difflib ratio 0.6+)."""
    key = name.strip().casefold()
    return closest(key, company_names(session=session, prefix=key), n=n)


def _email_not_found(session: Session, email: str) -> Message:
    near = emails_near(session=session, email=email)
    emails = closest(email, near, n=3, cutoff=0.75)
    domain = email.partition("@")[2].split(".")[0]
    companies = close_companies(session, domain, n=3) if domain else []
    return not_found_message(email, kind="lead", suggestions=emails, companies=companies)
