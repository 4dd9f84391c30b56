"""Event ids (deduplication) and dead letters (rejected input kept with its reason)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

from storage.bulk import BulkQuery, BulkStatement
from storage.dialect import insert_ignoring_conflicts, is_postgres_session
from storage.models import DeadLetter, EventRecord

EVENTS = EventRecord.__table__  # type: ignore[attr-defined]
DEAD_LETTERS = DeadLetter.__table__  # type: ignore[attr-defined]
MAX_PAYLOAD = 65_536
_EVENT_COLUMNS = ("event_id", "lead_id")
_STORED_IDS = BulkQuery(lambda ids: select(EVENTS.c.event_id).where(EVENTS.c.event_id.in_(ids)))
_INSERT_SQLITE = BulkStatement(
    sqlite.insert(EVENTS)
    .on_conflict_do_nothing(index_elements=["event_id"])
    .values({name: bindparam(name) for name in _EVENT_COLUMNS})
)


def claim_event_ids(*, session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Record event ids (rows of ``event_id`` and ``lead_id``); return those that were new
    (the rest are redeliveries).

    Relies on the primary key, so two replicas receiving the same event at once
    still count it once: the second waits for the first and then skips it.
    """
    if not rows:
        return set()
    if is_postgres_session(session):
        statement = insert_ignoring_conflicts(session, EVENTS, index=["event_id"])
        result = session.connection().execute(statement.returning(EVENTS.c.event_id), list(rows))
        return {row[0] for row in result}
    # SQLite: the write transaction (BEGIN IMMEDIATE) keeps other writers out
    # until commit, so the ids not stored yet are known before inserting, and
    # the insert can be one driver-level executemany instead of RETURNING.
    unique = list({row["event_id"]: row for row in rows}.values())
    stored = {row[0] for row in _STORED_IDS.fetch(session, [row["event_id"] for row in unique])}
    fresh = [row for row in unique if row["event_id"] not in stored]
    _INSERT_SQLITE.execute(session, fresh)
    return {row["event_id"] for row in fresh}


def storable(text: str) -> str:
    """Text both databases accept: NUL and unpaired surrogates written out as escapes.

    Rejected input is kept whatever it contains, so the dead letter itself
    must never fail to store (PostgreSQL refuses NUL in text; neither
    database can encode a lone surrogate).
    """
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _optional(text: Any) -> str | None:
    return None if text is None else storable(str(text))


def dead_letter_fingerprint(
    *, source: str, event_id: str | None, position: str | None, payload: str
) -> str:
    """What makes two rejections the same input: the event id where there is one (else
    the row's position), and the payload, from the same source."""
    where = f"id:{event_id}" if event_id is not None else f"at:{position}"
    key = "\x1f".join((source, where, payload))
    return hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()


def keep_dead_letters(
    *, session: Session, rows: Sequence[dict[str, Any]], now: datetime, source: str
) -> None:
    """Store rejected input: dicts with event_id, position, payload (text) and error.

    Idempotent: input already kept (same fingerprint) is not stored again, so a
    re-run import or a re-delivered event adds nothing, even after a crash.
    """
    if not rows:
        return
    values = []
    for row in rows:
        event_id = _optional(row.get("event_id"))
        position = _optional(row.get("position"))
        payload = storable(str(row.get("payload", ""))[:MAX_PAYLOAD])
        values.append(
            {
                "received_at": now,
                "source": source,
                "event_id": event_id,
                "position": position,
                "payload": payload,
                "error": storable(str(row["error"])),
                "fingerprint": dead_letter_fingerprint(
                    source=source, event_id=event_id, position=position, payload=payload
                ),
            }
        )
    statement = insert_ignoring_conflicts(session, DEAD_LETTERS, index=["fingerprint"])
    session.connection().execute(statement, values)


def count_events(*, session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(EVENTS)).scalar_one())


def dead_letters(*, session: Session, limit: int = 50) -> list[DeadLetter]:
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)  # type: ignore[union-attr]
    return list(session.scalars(query))
