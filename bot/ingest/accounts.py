"""Giving each lead of a batch its account, and recording owners a CRM names.

A lead's account is settled once (its email's registered domain, none for
free mail) unless an event names one explicitly (``lead.account``), which
wins. ``lead.owner`` is a Slack user ID, or an email resolved later with
``users.lookupByEmail`` (``bot.routing.directory``) unless already known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from scoring.accounts import account_key
from scoring.events import Event
from storage.accounts import ensure_accounts, set_owner, set_owner_email
from storage.leads import LeadState
from storage.reps import rep_by_email

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,29}")


@dataclass(frozen=True, slots=True)
class OwnerNamed:
    """An owner an event names, for an account known by key (new here) or by id (stored)."""

    owner: str
    key: str | None = None
    account_id: int | None = None


def settle_accounts(
    *,
    session: Session,
    events: list[Event],
    leads: dict[str, LeadState],
    free_mail: frozenset[str],
    now: datetime,
) -> None:
    """Set ``account_id`` on the batch's leads and store the owners the events name.

    Events are read in ``occurred_at`` order, so the newest explicit account
    and owner win. Leads that already have an account and events that name
    none cost nothing (most events are activities of known leads).
    """
    wanted: dict[str, str] = {}
    owners: list[OwnerNamed] = []
    for event in sorted(events, key=lambda e: e.occurred_at):
        lead = leads[event.lead.email]
        explicit = event.lead.account
        if explicit is None and (lead.account_id is not None or lead.email in wanted):
            key: str | None = wanted.get(lead.email)
        else:
            key = account_key(explicit, lead.email, free_mail)
            if key is not None:
                wanted[lead.email] = key
        if event.lead.owner is not None and (key or lead.account_id is not None):
            owners.append(OwnerNamed(event.lead.owner.strip(), key, lead.account_id))
    ids = ensure_accounts(session=session, keys=wanted.values(), now=now)
    for email, key in wanted.items():
        leads[email].account_id = ids[key]
    for named in owners:
        account_id = ids[named.key] if named.key else named.account_id
        assert account_id is not None
        _record_owner(session, account_id, named.owner, now)


def _record_owner(session: Session, account_id: int, owner: str, now: datetime) -> None:
    if SLACK_USER_ID.fullmatch(owner):
        set_owner(session=session, account_id=account_id, owner_id=owner, source="crm", now=now)
        return
    email = owner.casefold()
    if "@" not in email:
        return  # neither an ID nor an email: nothing Slack could tell us about
    known = rep_by_email(session=session, email=email)
    if known is not None:
        set_owner(
            session=session, account_id=account_id, owner_id=known.user_id, source="crm", now=now
        )
    else:
        set_owner_email(session=session, account_id=account_id, email=email, now=now)
