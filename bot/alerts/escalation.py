"""SLA steps for an unclaimed alert: reassign it along the rotation, then ``@here`` once.

Each time the current assignee has held an alert for ``sla_minutes`` without
claiming it, it is reassigned to the next available rep of its route (the
message is edited, the thread says who and why), up to the route's
``max_reassignments``; after that, or when nobody is available or the route
has no rotation, one thread reply asks ``@here``. Every step is a
conditional UPDATE on rows picked with ``SKIP LOCKED``, so replicas sweeping
at the same minute never both take it. A reply that fails for a passing
reason is released (undone) for the next sweep to take again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.alerts.alert_view import waited
from bot.alerts.drawing import redraw_alert
from bot.alerts.retry import describe, is_permanent
from bot.ingest.profile import profile_of
from bot.routing.assign import Assigner
from bot.services import Services
from bot.views.mrkdwn import inline
from bot.views.routing import mention
from scoring.routing import route
from scoring.rule_set import RuleSet
from storage.alert_claims import (
    pick_overdue,
    release_escalation,
    release_reassignment,
    take_escalation,
    take_reassignment,
)
from storage.engine import session_scope
from storage.models import Alert, Lead

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Escalation:
    """One step taken: ``reassigned_to`` set for a reassignment, None for the ``@here``."""

    alert: Alert
    text: str
    reassigned_to: str | None = None


def escalate_overdue(services: Services, *, limit: int = 100) -> int:
    """Take the next SLA step of every overdue unclaimed alert; how many thread replies went out.

    Safe to call from every replica every minute: each step is taken once.
    """
    now = services.clock()
    with session_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        due_before = now - timedelta(minutes=rule_set.sla_minutes)
        overdue = pick_overdue(session=session, now=now, due_before=due_before, limit=limit)
        assigner = Assigner(session=session, now=now, default_zone=services.settings.timezone)
        steps = [
            step
            for alert in overdue
            if (step := _next_step(session, assigner, alert, rule_set, now)) is not None
        ]
    return sum(_reply(services, step) for step in steps)


def _next_step(
    session: Session, assigner: Assigner, alert: Alert, rule_set: RuleSet, now: datetime
) -> Escalation | None:
    assert alert.id is not None
    lead = session.get(Lead, alert.lead_id)
    target = route(rule_set, profile_of(lead)) if lead else None
    usable = (
        target is not None
        and target.channel == alert.channel
        and target.assignees
        and alert.account_id is None
    )
    limit = target.rule.max_reassignments if target and target.rule else 2
    if usable and target is not None and alert.reassignments < limit:
        routing = dict(alert.routing or {})
        tried = [*routing.get("reassigned_from", []), *([alert.assignee] if alert.assignee else [])]
        assigner.load(target.assignees)
        people = list(dict.fromkeys(target.assignees))
        start = target.assignees.index(alert.assignee) + 1 if alert.assignee in people else 0
        routing = {**routing, "reassigned_from": tried}
        skip = [alert.assignee] if alert.assignee else []  # the next in turn, even if tried before
        chosen = assigner.from_rotation(target, start, routing, skip=skip)
        if chosen.assignee is not None:
            if not take_reassignment(
                session=session,
                alert_id=alert.id,
                done=alert.reassignments,
                assignee=chosen.assignee,
                routing=chosen.routing,
                now=now,
            ):
                return None
            text = reassignment_text(alert, lead, chosen.assignee, now)
            return Escalation(alert, text, reassigned_to=chosen.assignee)
    if not take_escalation(session=session, alert_id=alert.id, done=alert.reassignments, now=now):
        return None
    return Escalation(alert, escalation_text(alert, lead, rule_set, now))


def _reply(services: Services, step: Escalation) -> bool:
    alert = step.alert
    assert alert.id is not None
    try:
        if step.reassigned_to is not None:
            redraw_alert(services, alert.id)
        services.client.chat_postMessage(
            channel=alert.channel, thread_ts=alert.message_ts, text=step.text
        )
    except Exception as error:
        fields = {"alert": alert.alert_key, "channel": alert.channel, "error": describe(error)}
        if isinstance(error, SlackApiError) and is_permanent(error):
            log.warning("escalation refused by Slack, not retried", extra=fields)
        else:
            log.info("escalation postponed to the next sweep", extra=fields)
            with session_scope(services.engine) as session:
                if step.reassigned_to is not None:
                    release_reassignment(session=session, before=alert)
                else:
                    release_escalation(session=session, alert_id=alert.id)
        return False
    return True


def _lead_words(lead: Lead | None) -> str:
    name = inline(lead.name or lead.email, 300) if lead else "this lead"
    company = f" at {inline(lead.company, 300)}" if lead and lead.company else ""
    return name + company


def reassignment_text(alert: Alert, lead: Lead | None, to: str, now: datetime) -> str:
    since = alert.assigned_at or alert.sent_at or alert.created_at
    before = mention(alert.assignee) if alert.assignee else "nobody"
    return (
        f":arrows_counterclockwise: Reassigned to {mention(to)}: {before} did not claim "
        f"{_lead_words(lead)} (score {alert.score:.0f}) in {waited(since, now)}. "
        "Claim it above, or mark it not a fit."
    )


def escalation_text(alert: Alert, lead: Lead | None, rule_set: RuleSet, now: datetime) -> str:
    since = alert.sent_at or alert.created_at
    return (
        f":rotating_light: <!here> nobody has claimed {_lead_words(lead)} "
        f"(score {alert.score:.0f}) in {waited(since, now)}. "
        "Can you take it? Claim it above, or mark it not a fit."
    )
