"""A rep's App Home: their claimed leads, the unclaimed hot ones, and "My accounts".

The use case behind ``bot.listeners.home``: read everything in one read-only
session, as of now, and build the view; the listener only publishes it.
"""

from __future__ import annotations

from typing import Any

from bot.ingest.rulebook import NoRuleSetError
from bot.services import Services
from bot.views.home import home_view
from storage.accounts import accounts_owned_by
from storage.engine import read_scope
from storage.home import claimed_leads, unclaimed_hot_leads
from storage.models import Account
from storage.rule_sets import active_version

MY_ACCOUNTS = 30


def my_accounts(services: Services, user_id: str) -> list[Account]:
    with read_scope(services.engine) as session:
        return accounts_owned_by(session=session, user_id=user_id, limit=MY_ACCOUNTS)


def home_for(services: Services, user_id: str) -> dict[str, Any]:
    """The Home view for ``user_id`` as of now."""
    with read_scope(services.engine) as session:
        version = active_version(session=session)
        claimed = claimed_leads(session=session, user_id=user_id)
        try:
            hot_at = services.rulebook.active(session).rule_set.thresholds.hot
        except NoRuleSetError:
            hot = []
        else:
            hot = unclaimed_hot_leads(session=session, min_score=hot_at)
    return home_view(
        accounts=my_accounts(services, user_id),
        claimed=claimed,
        hot=hot,
        version=version,
        zone=services.settings.zone,
        now=services.clock(),
    )
