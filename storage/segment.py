"""Segment identities (which email an anonymous or user id belongs to) and pending events.

Replicas may receive a visitor's anonymous page views and the identify that
names them at the same moment. On PostgreSQL every transaction that reads
or changes an identity first stores and locks its row (``FOR UPDATE``, in
key order), so an event is either stored as pending before the identify's
transaction looks for pending events, or sees the email the identify
stored: never neither. On SQLite the write transaction (``BEGIN
IMMEDIATE``) already excludes other writers, so an id is stored only once
there is something to know about it (an email, a linked user).

The statements run through ``storage.bulk``: a batch of 500 messages names
as many ids, and SQLAlchemy's per-row machinery cost more than SQLite's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from storage.bulk import BulkQuery, BulkStatement, Query
from storage.dialect import insert_ignoring_conflicts, is_postgres_session
from storage.models import PendingSegmentEvent, SegmentIdentity

IDENTITIES = SegmentIdentity.__table__  # type: ignore[attr-defined]
PENDING = PendingSegmentEvent.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Identity:
    """What is known of one id: its lead's email, or the user id it was seen with."""

    email: str | None = None
    linked_user: str | None = None
    stored: bool = True
    """False for an id SQLite has no row for yet (``save_identities`` inserts it)."""


_COLUMNS = (IDENTITIES.c.identity, IDENTITIES.c.email, IDENTITIES.c.linked_user)
_FIND = BulkQuery(lambda keys: select(*_COLUMNS).where(IDENTITIES.c.identity.in_(keys)))
_LOCK = BulkQuery(
    lambda keys: (
        select(*_COLUMNS)
        .where(IDENTITIES.c.identity.in_(keys))
        .order_by(IDENTITIES.c.identity)
        .with_for_update()
    )
)
_STORE_EMPTY = BulkStatement(
    postgresql.insert(IDENTITIES)
    .on_conflict_do_nothing(index_elements=["identity"])
    .values(identity=bindparam("identity"), updated_at=bindparam("updated_at"))
)
_NAMES = ("identity", "email", "linked_user", "updated_at")
_ROW: dict[str, Any] = {name: bindparam(name) for name in _NAMES}
_INSERT = BulkStatement(IDENTITIES.insert().values(_ROW))
_UPDATE = BulkStatement(
    IDENTITIES.update()
    .where(IDENTITIES.c.identity == bindparam("_key"))
    .values({name: value for name, value in _ROW.items() if name != "identity"})
)
_LINKED = BulkQuery(
    lambda users: select(IDENTITIES.c.identity, IDENTITIES.c.linked_user).where(
        IDENTITIES.c.linked_user.in_(users), IDENTITIES.c.email.is_(None)
    )
)
_LINKED_LOCKED = BulkQuery(
    lambda users: (
        select(IDENTITIES.c.identity, IDENTITIES.c.linked_user)
        .where(IDENTITIES.c.linked_user.in_(users), IDENTITIES.c.email.is_(None))
        .order_by(IDENTITIES.c.identity)
        .with_for_update()
    )
)
_ANY_LINKED = Query(
    select(IDENTITIES.c.identity).where(IDENTITIES.c.linked_user.is_not(None)).limit(1)
)
_ANY_PENDING = Query(select(PENDING.c.id).limit(1))
_PENDING_OF = BulkQuery(
    lambda keys: select(PENDING.c.id, PENDING.c.identity, PENDING.c.event).where(
        PENDING.c.identity.in_(keys)
    )
)


def lock_identities(*, session: Session, keys: Iterable[str], now: datetime) -> dict[str, Identity]:
    """Every key's identity, each row locked until commit on PostgreSQL (stored empty if new)."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    if not is_postgres_session(session):
        found = _FIND.fetch(session, ordered)
        known = {key: Identity(email, linked) for key, email, linked in found}
        for key in ordered:
            if key not in known:
                known[key] = Identity(stored=False)
        return known
    known = {key: Identity(email, linked) for key, email, linked in _LOCK.fetch(session, ordered)}
    missing = [key for key in ordered if key not in known]
    if missing:
        # Stored empty and locked before anything is decided about them, so a
        # replica naming the same new id waits for this transaction.
        _STORE_EMPTY.execute(session, [{"identity": key, "updated_at": now} for key in missing])
        known.update(
            (key, Identity(email, linked)) for key, email, linked in _LOCK.fetch(session, missing)
        )
    return known


def save_identities(*, session: Session, changed: dict[str, Identity], now: datetime) -> None:
    """Store the identities whose email or linked user this batch changed."""
    rows = [
        {"identity": key, "_key": key, "email": ident.email, "linked_user": ident.linked_user,
         "updated_at": now, "stored": ident.stored}
        for key, ident in sorted(changed.items())
    ]  # fmt: skip
    _INSERT.execute(session, [row for row in rows if not row["stored"]])
    _UPDATE.execute(session, [row for row in rows if row["stored"]])
    for ident in changed.values():
        ident.stored = True


def claim_linked_anonymous(
    *, session: Session, users: dict[str, str], now: datetime
) -> dict[str, str]:
    """Give each user's email to the anonymous ids linked to it that had none; those ids' emails."""
    if not users:
        return {}
    if not _ANY_LINKED.fetch(session):
        # No anonymous id was ever linked (a server-side sender's ids): one index
        # probe instead of looking up every user of the batch. On PostgreSQL
        # a replica linking one to these users holds their rows' locks, which
        # this transaction took first or waited for, so its link is seen here.
        return {}
    query = _LINKED_LOCKED if is_postgres_session(session) else _LINKED
    linked: dict[str, str] = {key: user for key, user in query.fetch(session, sorted(users))}
    save_identities(
        session=session,
        changed={key: Identity(users[user], user) for key, user in linked.items()},
        now=now,
    )
    return {key: users[user] for key, user in linked.items()}


def keep_pending(*, session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> set[str]:
    """Store events waiting for an email; the event ids that were new (a resend counts once)."""
    if not rows:
        return set()
    insert = insert_ignoring_conflicts(session, PENDING, index=["event_id"])
    stored = session.connection().execute(
        insert.returning(PENDING.c.event_id),
        [{**row, "received_at": now} for row in rows],
    )
    return {row[0] for row in stored}


def take_pending(
    *, session: Session, identities: Iterable[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Remove and return the pending events of these identities: (identity, event) pairs."""
    keys = sorted(set(identities))
    if not keys or not _ANY_PENDING.fetch(session):
        return []
    found = _PENDING_OF.fetch(session, keys)
    if not found:
        return []
    session.execute(delete(PENDING).where(PENDING.c.id.in_([row[0] for row in found])))
    return [(key, event) for _, key, event in found]


def count_pending(*, session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(PENDING)).scalar_one())
