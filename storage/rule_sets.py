"""Stored rule-set versions: who applied what, when, and which one is active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.bulk import Query
from storage.dialect import serialise
from storage.models import RuleSetVersion

RULE_SET_STORE = 7_230_001
"""Advisory lock key (PostgreSQL) that one rule-set store at a time holds."""


@dataclass(frozen=True)
class StoreOutcome:
    """What storing a rule file did: a new version, a re-activation, or nothing."""

    version: RuleSetVersion
    created: bool
    activated: bool


def active_version(*, session: Session) -> RuleSetVersion | None:
    """The rule set in force (the most recently activated one)."""
    query = select(RuleSetVersion).order_by(
        col(RuleSetVersion.activated_at).desc(), col(RuleSetVersion.version).desc()
    )
    return session.exec(query.limit(1)).first()


_VERSIONS = RuleSetVersion.__table__  # type: ignore[attr-defined]
_ACTIVE_NUMBER = Query(
    sa_select(_VERSIONS.c.version)
    .order_by(_VERSIONS.c.activated_at.desc(), _VERSIONS.c.version.desc())
    .limit(1)
)


def active_version_number(*, session: Session) -> int | None:
    """Just the active version's number: what every ingest batch checks (no content loaded)."""
    rows = _ACTIVE_NUMBER.fetch(session)
    return rows[0][0] if rows else None


def get_version(*, session: Session, version: int) -> RuleSetVersion | None:
    return session.get(RuleSetVersion, version)


def find_by_hash(*, session: Session, content_hash: str) -> RuleSetVersion | None:
    query = select(RuleSetVersion).where(RuleSetVersion.content_hash == content_hash)
    return session.exec(query).first()


def list_versions(*, session: Session, limit: int = 20) -> list[RuleSetVersion]:
    query = select(RuleSetVersion).order_by(col(RuleSetVersion.version).desc()).limit(limit)
    return list(session.exec(query))


def versions_mentioning(*, session: Session, text: str) -> list[tuple[int, str]]:
    """Number and content of every version whose content contains ``text`` (e.g. a key)."""
    query = sa_select(_VERSIONS.c.version, _VERSIONS.c.content).where(
        _VERSIONS.c.content.contains(text, autoescape=True)
    )
    return [(version, content) for version, content in session.connection().execute(query)]


def store_version(
    *,
    session: Session,
    name: str,
    content: str,
    content_hash: str,
    applied_by: str,
    now: datetime,
) -> StoreOutcome:
    """Store a rule file as the active version.

    Identical content (same hash) is never stored twice: if it is already
    active nothing changes; if it is an older version, that version becomes
    active again (a roll-back).
    """
    serialise(session, key=RULE_SET_STORE)  # a concurrent store of the same file waits here
    existing = find_by_hash(session=session, content_hash=content_hash)
    active = active_version(session=session)
    if existing is not None:
        if active is not None and active.version == existing.version:
            return StoreOutcome(existing, created=False, activated=False)
        existing.activated_at = _after(active, now)
        session.add(existing)
        session.flush()
        return StoreOutcome(existing, created=False, activated=True)
    row = RuleSetVersion(
        name=name,
        content=content,
        content_hash=content_hash,
        applied_by=applied_by,
        applied_at=now,
        activated_at=_after(active, now),
    )
    session.add(row)
    session.flush()
    return StoreOutcome(row, created=True, activated=True)


def _after(active: RuleSetVersion | None, now: datetime) -> datetime:
    """An activation time later than the active one's, even if this clock is behind.

    The newest activation wins; a replica whose clock lags must not make a
    rule set it just applied look older than the one it replaces.
    """
    if active is None or active.activated_at < now:
        return now
    return active.activated_at + timedelta(microseconds=1)
