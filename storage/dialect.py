"""Small helpers for statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
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
