"""Reps as routing sees them: time zone (cached from Slack), absences, daily load.

Capacity is counted by one conditional upsert per assignment, so two replicas
assigning at the same moment cannot both take a rep's last slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.bulk import BulkQuery, Query
from storage.dialect import is_postgres_session
from storage.models import Rep, RepLoad

REPS = Rep.__table__  # type: ignore[attr-defined]
LOADS = RepLoad.__table__  # type: ignore[attr-defined]


def _dialect(session: Session) -> Any:
    return postgresql if is_postgres_session(session) else sqlite


def _take(dialect: Any) -> Query:
    insert = dialect.insert(LOADS).values(
        user_id=bindparam("user_id"), day=bindparam("day"), alerts=1
    )
    return Query(
        insert.on_conflict_do_update(
            index_elements=["user_id", "day"],
            set_={"alerts": LOADS.c.alerts + 1},
            where=LOADS.c.alerts < bindparam("limit"),
        ).returning(LOADS.c.alerts)
    )


_TAKE = {"sqlite": _take(sqlite), "postgresql": _take(postgresql)}


def take_capacity(*, session: Session, user_id: str, day: str, limit: int | None) -> bool:
    """Count one more alert for the rep's ``day``; False (nothing counted) when at ``limit``."""
    upsert = _TAKE["postgresql" if is_postgres_session(session) else "sqlite"]
    rows = upsert.fetch(session, user_id=user_id, day=day, limit=limit or 2**31 - 1)
    return bool(rows)


def loads_on(*, session: Session, day_by_user: dict[str, str]) -> dict[str, int]:
    """Alerts each rep has on their own day (for explaining who is at capacity)."""
    if not day_by_user:
        return {}
    query = select(LOADS.c.user_id, LOADS.c.day, LOADS.c.alerts).where(
        LOADS.c.user_id.in_(sorted(day_by_user))
    )
    return {
        user: int(count)
        for user, day, count in session.execute(query)
        if day_by_user.get(user) == day
    }


def reps_by_id(*, session: Session, user_ids: Iterable[str]) -> dict[str, Rep]:
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = session.execute(select(REPS).where(REPS.c.user_id.in_(wanted)))
    return {row.user_id: Rep(**row._mapping) for row in rows}


_STATUS = BulkQuery(
    lambda ids: select(REPS.c.user_id, REPS.c.tz, REPS.c.away_since, REPS.c.away_until).where(
        REPS.c.user_id.in_(ids)
    )
)


def rep_statuses(
    *, session: Session, user_ids: Iterable[str]
) -> dict[str, tuple[str | None, datetime | None, datetime | None]]:
    """``(tz, away_since, away_until)`` by rep: what routing reads, as plain rows."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    return {user: (tz, since, until) for user, tz, since, until in _STATUS.fetch(session, wanted)}


def rep_by_email(*, session: Session, email: str) -> Rep | None:
    row = session.execute(select(REPS).where(REPS.c.email == email)).first()
    return Rep(**row._mapping) if row else None


def remember_rep(
    *,
    session: Session,
    user_id: str,
    now: datetime,
    email: str | None = None,
    tz: str | None = None,
) -> None:
    """Store what Slack said about a user (email, time zone), keeping what it did not say."""
    values: dict[str, Any] = {"user_id": user_id}
    changes: dict[str, Any] = {}
    if email is not None:
        values["email"] = changes["email"] = email
    if tz is not None:
        values["tz"] = changes["tz"] = tz
        values["tz_checked_at"] = changes["tz_checked_at"] = now
    insert = _dialect(session).insert(REPS).values(values)
    if changes:
        session.execute(insert.on_conflict_do_update(index_elements=["user_id"], set_=changes))
    else:
        session.execute(insert.on_conflict_do_nothing(index_elements=["user_id"]))


def reps_without_zone(
    *, session: Session, user_ids: Iterable[str], checked_before: datetime
) -> list[str]:
    """Which of ``user_ids`` have no time zone cached, or one older than ``checked_before``."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    fresh = select(REPS.c.user_id).where(
        REPS.c.user_id.in_(wanted), REPS.c.tz_checked_at >= checked_before
    )
    known = set(session.execute(fresh).scalars())
    return [user for user in wanted if user not in known]


def set_away(*, session: Session, user_id: str, since: datetime, until: datetime | None) -> None:
    insert = (
        _dialect(session).insert(REPS).values(user_id=user_id, away_since=since, away_until=until)
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["user_id"], set_={"away_since": since, "away_until": until}
        )
    )


def set_back(*, session: Session, user_id: str) -> bool:
    """Clear an absence; False when the rep was not away."""
    statement = (
        update(REPS)
        .where(REPS.c.user_id == user_id, or_(REPS.c.away_since.is_not(None)))
        .values(away_since=None, away_until=None)
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]
