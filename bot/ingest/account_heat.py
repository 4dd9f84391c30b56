"""Queueing an account alert when enough of an account's leads show intent together.

Checked in the batch's transaction for the accounts whose leads did
something with intent in it; the alert goes through the same outbox as lead
alerts. ``mark_heat_alerted`` is a conditional UPDATE, so an account alerts
once per heat cycle however many replicas see its leads at the same moment;
a new cycle starts once the last alert is ``account_heat.days`` old.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.ingest.profile import profile_of
from bot.ingest.rulebook import ActiveRules
from bot.routing.assign import Assigner
from scoring.account_heat import heated_leads, is_heating, is_intent
from scoring.evaluate import ActivityRecord
from scoring.events import Event
from scoring.routing import route
from storage.accounts import accounts_by_id, mark_heat_alerted
from storage.activities import account_activities
from storage.alerts import NewAlert, create_alerts
from storage.models import Lead


def intent_accounts(
    rules: ActiveRules, events: Iterable[Event], account_of: dict[str, int | None]
) -> set[int]:
    """Accounts whose leads did something with intent in these events."""
    if rules.rule_set.account_heat is False:
        return set()
    found: set[int] = set()
    for event in events:
        account_id = account_of.get(event.lead.email)
        if account_id is None or event.activity is None:
            continue
        activity = event.activity
        record = ActivityRecord(activity.kind, event.occurred_at, activity.url, activity.properties)
        if is_intent(rules.rule_set, record):
            found.add(account_id)
    return found


def queue_account_alerts(
    *,
    session: Session,
    account_ids: set[int],
    rules: ActiveRules,
    now: datetime,
    default_zone: str,
) -> list[int]:
    """Queue one alert per account that has just heated up; the alert ids."""
    heat = rules.rule_set.account_heat
    if heat is False or not account_ids:
        return []
    window = now - timedelta(days=heat.days)
    accounts = accounts_by_id(session=session, ids=account_ids)
    alerts: list[NewAlert] = []
    assigner = Assigner(session=session, now=now, default_zone=default_zone)
    for account_id, account in sorted(accounts.items()):
        if account.heat_alerted_at is not None and account.heat_alerted_at >= window:
            continue  # this cycle already alerted
        activity = account_activities(session=session, account_id=account_id, since=window)
        leads = heated_leads(rules.rule_set, activity)
        if not is_heating(rules.rule_set, leads):
            continue
        best = _best_lead(session, [lead.lead_id for lead in leads])
        target = route(rules.rule_set, profile_of(best)) if best else None
        if best is None or target is None or best.id is None:
            continue
        if not mark_heat_alerted(
            session=session, account_id=account_id, now=now, cooled_before=window
        ):
            continue
        owner = assigner.to_owner(target, account)
        routing = owner.routing if owner else {"account": account.key}
        routing = {**routing, "heat": [[lead.lead_id, list(lead.intents)] for lead in leads]}
        alerts.append(
            NewAlert(
                lead_id=best.id,
                cycle=0,
                channel=target.channel,
                assignee=owner.assignee if owner else None,
                score=best.score,
                routing=routing,
                account_id=account_id,
                key=f"account-{account_id}-heat-{now:%Y%m%dT%H%M%S}",
            )
        )
    return create_alerts(session=session, alerts=alerts, now=now)


def _best_lead(session: Session, lead_ids: list[int]) -> Lead | None:
    leads = [lead for i in lead_ids if (lead := session.get(Lead, i)) is not None]
    return max(leads, key=lambda lead: (lead.score, -(lead.id or 0)), default=None)
