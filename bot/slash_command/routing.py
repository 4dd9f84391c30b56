"""``/leadscore away``, ``back`` and ``account <domain>``."""

from __future__ import annotations

from bot.routing.availability import come_back, go_away
from bot.services import Services
from bot.slash_command.parse import AccountQuery, AwayQuery
from bot.views.message import Message
from bot.views.routing import account_message, away_message, back_message
from scoring.accounts import account_key
from storage.accounts import account_by_key, account_leads
from storage.engine import read_scope

ACCOUNT_ROWS = 30


def away_answer(services: Services, *, user_id: str, query: AwayQuery) -> Message:
    go_away(services, user_id=user_id, until=query.until)
    return away_message(query.until)


def back_answer(services: Services, *, user_id: str) -> Message:
    return back_message(come_back(services, user_id=user_id))


def account_answer(services: Services, query: AccountQuery) -> Message:
    """The account as typed (a CRM id), else as a domain folds (``www.acme.io`` is acme.io)."""
    with read_scope(services.engine) as session:
        account = account_by_key(session=session, key=query.key)
        if account is None:
            folded = account_key(query.key, "", frozenset())
            account = account_by_key(session=session, key=folded) if folded else None
        leads = (
            account_leads(session=session, account_id=account.id, limit=ACCOUNT_ROWS)
            if account and account.id
            else []
        )
    return account_message(account, leads, asked=query.key, now=services.clock())
