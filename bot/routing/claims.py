"""Claiming a lead makes the claimer the owner of its account, if it has none (sticky).

So the next lead from the same company goes to the SDR already talking to
it. ``owner_claims: false`` on the routing rule turns this off; an owner the
CRM named is never replaced by a claim.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.ingest.profile import profile_of
from bot.services import Services
from scoring.routing import route
from storage.accounts import set_owner
from storage.alert_claims import claim_alert
from storage.models import Alert, Lead


def claim_and_own(
    services: Services, session: Session, *, alert_id: int, user_id: str, now: datetime
) -> bool:
    """Claim the alert (first click wins); on a win, make the claimer the account's owner."""
    if not claim_alert(session=session, alert_id=alert_id, user_id=user_id, now=now):
        return False
    alert = session.get(Alert, alert_id)
    lead = session.get(Lead, alert.lead_id) if alert else None
    account_id = (alert.account_id if alert else None) or (lead.account_id if lead else None)
    if alert is None or lead is None or account_id is None:
        return True
    if alert.account_id is None:  # a lead alert: the route decides whether claims own
        target = route(services.rulebook.active(session).rule_set, profile_of(lead))
        if target is not None and target.rule is not None and not target.rule.owner_claims:
            return True
    set_owner(
        session=session,
        account_id=account_id,
        owner_id=user_id,
        source="claim",
        now=now,
        only_if_unowned=True,
    )
    return True
