"""Small helpers for statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignoring_conflicts(session: Session, table: Table, *, index: list[str]) -> Any:
    """``INSERT ... ON CONFLICT (index) DO NOTHING`` for the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=index)


def is_postgres_session(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def pick_unlocked_ids(session: Session, query: Any) -> list[int]:
    """Ids a ``SELECT id ...`` finds, skipping rows another replica has locked (PostgreSQL).

    Callers then UPDATE ``WHERE id IN (ids)`` repeating their conditions as a
    guard: a separate SELECT, not ``IN (subquery)``, because PostgreSQL may
    re-run a locking subquery per row and so claim more than the limit.
    """
    if is_postgres_session(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query).scalars())


def serialise(session: Session, *, key: int) -> None:
    """Wait until no other transaction holds ``key``, and hold it until this one ends.

    For check-then-insert steps that replicas may run at the same moment (two
    replicas starting together both store the start-up rule file). On SQLite
    the write transaction (``BEGIN IMMEDIATE``) already excludes other writers.
    """
    if is_postgres_session(session):
        session.execute(select(func.pg_advisory_xact_lock(key)))
