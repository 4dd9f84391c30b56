"""SLA escalation: an alert nobody claimed in ``sla_minutes`` gets one thread reply.

The reply pings the next SDR in the route's rotation (the alert's assignee
had their chance), or ``@here`` when the route has no rotation to move along.
``storage.alert_claims.take_overdue`` marks alerts escalated before the reply
is posted, so replicas sweeping at the same minute never both reply; a reply
that fails for a passing reason is released for the next sweep, one Slack
refuses for good is logged and not retried (at most one reply, never two).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.alerts.format import waited
from bot.alerts.retry import describe, is_permanent
from bot.ingest.profile import profile_of
from bot.services import Services
from bot.views.mrkdwn import inline, user
from scoring.routing import route
from scoring.rule_set import RuleSet
from storage.alert_claims import release_escalation, take_overdue
from storage.engine import session_scope
from storage.models import Alert, Lead

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Escalation:
    alert: Alert
    text: str


def escalate_overdue(services: Services, *, limit: int = 100) -> int:
    """Reply in the thread of every overdue unclaimed alert; returns how many replies went out.

    Safe to call from every replica every minute: an alert is escalated once.
    """
    now = services.clock()
    with session_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        sent_before = now - timedelta(minutes=rule_set.sla_minutes)
        taken = take_overdue(session=session, now=now, sent_before=sent_before, limit=limit)
        escalations = [
            Escalation(
                alert, escalation_text(alert, session.get(Lead, alert.lead_id), rule_set, now)
            )
            for alert in taken
        ]
    return sum(_reply(services, escalation) for escalation in escalations)


def _reply(services: Services, escalation: Escalation) -> bool:
    alert = escalation.alert
    assert alert.id is not None
    try:
        services.client.chat_postMessage(
            channel=alert.channel, thread_ts=alert.message_ts, text=escalation.text
        )
    except Exception as error:
        fields = {"alert": alert.alert_key, "channel": alert.channel, "error": describe(error)}
        if isinstance(error, SlackApiError) and is_permanent(error):
            log.warning("escalation refused by Slack, not retried", extra=fields)
        else:
            log.info("escalation postponed to the next sweep", extra=fields)
            with session_scope(services.engine) as session:
                release_escalation(session=session, alert_id=alert.id)
        return False
    return True


def escalation_text(alert: Alert, lead: Lead | None, rule_set: RuleSet, now: datetime) -> str:
    who = next_owner(alert, lead, rule_set)
    since = alert.sent_at or alert.created_at
    name = inline(lead.name or lead.email, 300) if lead else "this lead"
    company = f" at {inline(lead.company, 300)}" if lead and lead.company else ""
    return (
        f":rotating_light: {who} nobody has claimed {name}{company} (score {alert.score:.0f}) "
        f"in {waited(since, now)}. Can you take it? Claim it above, or mark it not a fit."
    )


def next_owner(alert: Alert, lead: Lead | None, rule_set: RuleSet) -> str:
    """The next assignee after the alert's in the route's rotation, else ``<!here>``."""
    if lead is None:
        return "<!here>"
    target = route(rule_set, profile_of(lead))
    if target is None or target.channel != alert.channel or len(target.assignees) < 2:
        return "<!here>"
    people = list(target.assignees)
    if alert.assignee in people:
        return user(people[(people.index(alert.assignee) + 1) % len(people)])
    return user(people[0])
