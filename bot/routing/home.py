""" "My accounts" for the App Home: the accounts a rep owns, with their away status."""

from __future__ import annotations

from bot.services import Services
from storage.accounts import accounts_owned_by
from storage.engine import read_scope
from storage.models import Account

MY_ACCOUNTS = 30


def my_accounts(services: Services, user_id: str) -> list[Account]:
    with read_scope(services.engine) as session:
        return accounts_owned_by(session=session, user_id=user_id, limit=MY_ACCOUNTS)
