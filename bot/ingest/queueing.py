"""Alerts for the leads a batch made hot: routed, assigned in turn, queued in the outbox.

Queued in the batch's own transaction, so an alert exists exactly when the
score change that caused it was committed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from bot.routing.assign import Assigner, Assignment
from scoring.routing import Route, route
from storage.accounts import accounts_by_id
from storage.alerts import NewAlert, create_alerts, take_turns
from storage.leads import LeadState

log = logging.getLogger(__name__)


def queue_alerts(
    *,
    session: Session,
    leads: list[LeadState],
    rules: ActiveRules,
    now: datetime,
    default_zone: str = "UTC",
) -> list[int]:
    """Route the leads that turned hot, assign them, and queue their alerts; ids in lead order.

    An owned account's lead goes to its owner when they are available; the
    others take turns in their route's rotation, skipping whoever is not.
    All of a batch's turns and alerts are written at once: a few statements
    per alert were a tenth of a batch in which many leads turn hot.
    """
    routed: list[tuple[LeadState, Route]] = []
    for lead in leads:
        target = route(rules.rule_set, profile_of(lead))
        if target is None:
            log.warning("lead %s turned hot but no routing rule matches", lead.id)
        else:
            routed.append((lead, target))
    accounts = accounts_by_id(
        session=session, ids=[lead.account_id for lead, _ in routed if lead.account_id]
    )
    assigner = Assigner(session=session, now=now, default_zone=default_zone)
    assigner.load(user for _, target in routed for user in target.assignees)
    first: list[Assignment | None] = []
    for lead, target in routed:
        account = accounts.get(lead.account_id) if lead.account_id else None
        first.append(assigner.to_owner(target, account) if account else None)
    rotations = [
        (target.key, len(target.assignees))
        for (_, target), chosen in zip(routed, first, strict=True)
        if target.assignees and (chosen is None or chosen.assignee is None)
    ]
    turns = iter(take_turns(session=session, rotations=rotations))
    alerts: list[NewAlert] = []
    for (lead, target), chosen in zip(routed, first, strict=True):
        account = accounts.get(lead.account_id) if lead.account_id else None
        if chosen is None or chosen.assignee is None:
            routing = chosen.routing if chosen else ({"account": account.key} if account else {})
            turn = next(turns) if target.assignees else 0
            owner = [account.owner_id] if account and account.owner_id else []
            chosen = assigner.from_rotation(target, turn, routing, skip=owner)
        alerts.append(
            NewAlert(
                lead_id=lead.id,
                cycle=lead.alert_cycle,
                channel=target.channel,
                assignee=chosen.assignee,
                score=lead.score,
                routing=chosen.routing or None,
            )
        )
    return create_alerts(session=session, alerts=alerts, now=now)
