"""What Slack knows about reps, fetched once and cached: time zones and owners named by email.

Runs outside the ingest transaction (from the outbox sender's sweep and from
``/leadscore away``), so a slow or failing Slack never holds up scoring. A
rep whose zone is not cached yet is routed in the rule's ``timezone`` or
LEADSCORE_TIMEZONE until it is.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.services import Services
from storage.accounts import account_owner_ids, pending_owner_emails, resolve_owner_email
from storage.engine import session_scope
from storage.reps import remember_rep, reps_without_zone

log = logging.getLogger(__name__)
ZONE_FOR = timedelta(days=7)
"""How long a cached time zone is trusted (people travel and move)."""


def refresh_directory(services: Services, *, limit: int = 50) -> int:
    """Resolve owner emails and fetch missing time zones; how many Slack answers were stored."""
    now = services.clock()
    with session_scope(services.engine) as session:
        emails = pending_owner_emails(session=session, limit=limit)
        people = {
            assignee.user
            for rule in services.rulebook.active(session).rule_set.routing
            for assignee in rule.assignees
        }
        people.update(account_owner_ids(session=session))
        stale = reps_without_zone(session=session, user_ids=people, checked_before=now - ZONE_FOR)
    stored = sum(_resolve_email(services, email) for email in dict.fromkeys(e for _, e in emails))
    stored += sum(cache_zone(services, user) is not None for user in stale[:limit])
    return stored


def _resolve_email(services: Services, email: str) -> bool:
    try:
        user = services.client.users_lookupByEmail(email=email)["user"]
    except SlackApiError as error:
        if error.response.get("error") != "users_not_found":
            log.info("owner email not resolved yet", extra={"error": error.response.get("error")})
            return False
        user = None
    except OSError:
        return False
    now = services.clock()
    with session_scope(services.engine) as session:
        if user is None:
            log.warning("account owner named by the CRM is not a Slack user; account left unowned")
            resolve_owner_email(session=session, email=email, owner_id=None, now=now)
            return True
        remember_rep(session=session, user_id=user["id"], now=now, email=email, tz=user.get("tz"))
        resolve_owner_email(session=session, email=email, owner_id=user["id"], now=now)
    return True


def cache_zone(services: Services, user_id: str) -> str | None:
    """The rep's time zone from ``users.info``, stored; None when Slack could not say."""
    try:
        user = services.client.users_info(user=user_id)["user"]
    except (SlackApiError, OSError):
        return None
    tz = user.get("tz") or "UTC"
    with session_scope(services.engine) as session:
        remember_rep(session=session, user_id=user_id, now=services.clock(), tz=tz)
    return str(tz)
