"""Accounts (companies) and their owners.

Callable from any ingest path with an account key it already knows (a
domain, or a CRM account id such as a Segment ``group`` call names).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Update, or_, select, update
from sqlmodel import Session

from storage.bulk import BulkQuery
from storage.dialect import insert_ignoring_conflicts
from storage.models import Account, Lead

ACCOUNTS = Account.__table__  # type: ignore[attr-defined]
LEADS = Lead.__table__  # type: ignore[attr-defined]


def _changed(session: Session, statement: Update) -> bool:
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return bool(result.rowcount)


def ensure_accounts(*, session: Session, keys: Iterable[str], now: datetime) -> dict[str, int]:
    """The id of each account key, creating the accounts not stored yet (replica-safe)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found = _ids(session, wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        insert = insert_ignoring_conflicts(session, ACCOUNTS, index=["key"])
        session.execute(insert, [{"key": key, "created_at": now} for key in missing])
        found.update(_ids(session, missing))
    return found


_BY_KEY = BulkQuery(
    lambda keys: select(ACCOUNTS.c.key, ACCOUNTS.c.id).where(ACCOUNTS.c.key.in_(keys))
)
_BY_ID = BulkQuery(lambda ids: select(ACCOUNTS).where(ACCOUNTS.c.id.in_(ids)))


def _ids(session: Session, keys: list[str]) -> dict[str, int]:
    return {key: int(i) for key, i in _BY_KEY.fetch(session, keys)}


def set_owner(
    *,
    session: Session,
    account_id: int,
    owner_id: str,
    source: str,
    now: datetime,
    only_if_unowned: bool = False,
) -> bool:
    """Make ``owner_id`` the owner; with ``only_if_unowned`` the first claim wins (sticky)."""
    statement = update(ACCOUNTS).where(ACCOUNTS.c.id == account_id)
    if only_if_unowned:
        statement = statement.where(ACCOUNTS.c.owner_id.is_(None), ACCOUNTS.c.owner_email.is_(None))
    return _changed(
        session,
        statement.values(owner_id=owner_id, owner_email=None, owner_source=source, owner_since=now),
    )


def set_owner_email(*, session: Session, account_id: int, email: str, now: datetime) -> None:
    """The CRM named the owner by email: kept until Slack tells us who that is."""
    session.execute(
        update(ACCOUNTS)
        .where(ACCOUNTS.c.id == account_id)
        .values(owner_id=None, owner_email=email, owner_source="crm", owner_since=now)
    )


def pending_owner_emails(*, session: Session, limit: int = 100) -> list[tuple[int, str]]:
    query = (
        select(ACCOUNTS.c.id, ACCOUNTS.c.owner_email)
        .where(ACCOUNTS.c.owner_email.is_not(None))
        .order_by(ACCOUNTS.c.id)
        .limit(limit)
    )
    return [(int(i), str(email)) for i, email in session.execute(query)]


def resolve_owner_email(
    *, session: Session, email: str, owner_id: str | None, now: datetime
) -> None:
    """Accounts waiting for ``email`` get ``owner_id`` (None: no such Slack user, dropped)."""
    session.execute(
        update(ACCOUNTS)
        .where(ACCOUNTS.c.owner_email == email)
        .values(owner_id=owner_id, owner_email=None, owner_since=now)
    )


def accounts_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Account]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    names = [column.name for column in ACCOUNTS.c]
    rows = _BY_ID.fetch(session, wanted)
    return {row[0]: Account(**dict(zip(names, row, strict=True))) for row in rows}


def account_by_key(*, session: Session, key: str) -> Account | None:
    row = session.execute(select(ACCOUNTS).where(ACCOUNTS.c.key == key)).first()
    return Account(**row._mapping) if row else None


def accounts_owned_by(*, session: Session, user_id: str, limit: int = 50) -> list[Account]:
    query = (
        select(ACCOUNTS).where(ACCOUNTS.c.owner_id == user_id).order_by(ACCOUNTS.c.key).limit(limit)
    )
    return [Account(**row._mapping) for row in session.execute(query)]


def account_leads(*, session: Session, account_id: int, limit: int = 20) -> list[Lead]:
    """The account's leads, best score first."""
    query = (
        select(LEADS)
        .where(LEADS.c.account_id == account_id)
        .order_by(LEADS.c.score.desc(), LEADS.c.id)
        .limit(limit)
    )
    return [Lead(**row._mapping) for row in session.execute(query)]


def mark_heat_alerted(
    *, session: Session, account_id: int, now: datetime, cooled_before: datetime
) -> bool:
    """Start a heat cycle: True for exactly one caller, and again only once the last one
    is older than ``cooled_before`` (its leads' intent has aged out of the window)."""
    statement = (
        update(ACCOUNTS)
        .where(
            ACCOUNTS.c.id == account_id,
            or_(
                ACCOUNTS.c.heat_alerted_at.is_(None),
                ACCOUNTS.c.heat_alerted_at < cooled_before,
            ),
        )
        .values(heat_alerted_at=now)
    )
    return _changed(session, statement)


def account_owner_ids(*, session: Session, limit: int = 1000) -> list[str]:
    """Everyone who owns an account (their time zones are cached like the rotation's)."""
    query = (
        select(ACCOUNTS.c.owner_id).where(ACCOUNTS.c.owner_id.is_not(None)).distinct().limit(limit)
    )
    return [str(owner) for owner in session.execute(query).scalars()]
