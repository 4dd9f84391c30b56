"""Segment identities (which email an anonymous or user id belongs to) and pending events.

Replicas may receive a visitor's anonymous page views and the identify that
names them at the same moment. Every transaction that reads or changes an
identity first locks its row (``SELECT ... FOR UPDATE`` on PostgreSQL, in
key order; SQLite's write transaction excludes other writers), so an event
is either stored as pending before the identify's transaction looks for
pending events, or sees the email the identify stored: never neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session

from storage.dialect import insert_ignoring_conflicts, is_postgres_session
from storage.models import PendingSegmentEvent, SegmentIdentity

IDENTITIES = SegmentIdentity.__table__  # type: ignore[attr-defined]
PENDING = PendingSegmentEvent.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Identity:
    """What is known of one id: its lead's email, or the user id it was seen with."""

    email: str | None = None
    linked_user: str | None = None


def lock_identities(*, session: Session, keys: Iterable[str], now: datetime) -> dict[str, Identity]:
    """Every key's identity (new ones stored empty), each row locked until commit."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    known = _select_locked(session, ordered)
    missing = [key for key in ordered if key not in known]
    if missing:
        insert = insert_ignoring_conflicts(session, IDENTITIES, index=["identity"])
        rows = [{"identity": key, "updated_at": now} for key in missing]
        stored = {
            row[0]
            for row in session.connection().execute(insert.returning(IDENTITIES.c.identity), rows)
        }
        known.update((key, Identity()) for key in stored)
        lost = [key for key in missing if key not in stored]  # another replica stored it first
        if lost:
            known.update(_select_locked(session, lost))
    return known


def _select_locked(session: Session, keys: Sequence[str]) -> dict[str, Identity]:
    query = (
        select(IDENTITIES.c.identity, IDENTITIES.c.email, IDENTITIES.c.linked_user)
        .where(IDENTITIES.c.identity.in_(keys))
        .order_by(IDENTITIES.c.identity)
    )
    if is_postgres_session(session):
        query = query.with_for_update()
    return {key: Identity(email, linked) for key, email, linked in session.execute(query)}


_SAVE = (
    update(IDENTITIES)
    .where(IDENTITIES.c.identity == bindparam("key"))
    .values(
        email=bindparam("email"),
        linked_user=bindparam("linked_user"),
        updated_at=bindparam("updated_at"),
    )
)


def save_identities(*, session: Session, changed: dict[str, Identity], now: datetime) -> None:
    """Store the identities whose email or linked user this batch changed."""
    if not changed:
        return
    session.connection().execute(
        _SAVE,
        [
            {"key": key, "email": ident.email, "linked_user": ident.linked_user, "updated_at": now}
            for key, ident in sorted(changed.items())
        ],
    )


def claim_linked_anonymous(
    *, session: Session, users: dict[str, str], now: datetime
) -> dict[str, str]:
    """Give each user's email to the anonymous ids linked to it that had none; those ids' emails."""
    if not users:
        return {}
    query = (
        select(IDENTITIES.c.identity, IDENTITIES.c.linked_user)
        .where(IDENTITIES.c.linked_user.in_(sorted(users)), IDENTITIES.c.email.is_(None))
        .order_by(IDENTITIES.c.identity)
    )
    if is_postgres_session(session):
        query = query.with_for_update()
    linked: dict[str, str] = {key: user for key, user in session.execute(query)}
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
    if not keys:
        return []
    statement = (
        delete(PENDING)
        .where(PENDING.c.identity.in_(keys))
        .returning(PENDING.c.identity, PENDING.c.event)
    )
    return [(key, event) for key, event in session.execute(statement)]


def count_pending(*, session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(PENDING)).scalar_one())


def identity_email(*, session: Session, identity: str) -> str | None:
    query = select(IDENTITIES.c.email).where(IDENTITIES.c.identity == identity)
    return session.execute(query).scalar_one_or_none()
