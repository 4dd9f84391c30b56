"""Rule set versions: the newest activation wins, whatever the applying machine's clock says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage.engine import make_engine, session_scope
from storage.rule_sets import StoreOutcome, active_version_number, store_version
from storage.schema import upgrade

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


def apply(engine: Engine, content: str, *, by: str, at: datetime) -> StoreOutcome:
    """Store a rule file's content as a manager on replica ``by`` would, at ``at``."""
    with session_scope(engine) as session:
        return store_version(
            session=session,
            name=content,
            content=content,
            content_hash=content * 64,
            applied_by=by,
            now=at,
        )


def test_a_version_applied_from_a_lagging_clock_still_becomes_active(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    apply(engine, "a", by="replica-1", at=NOON)
    second = apply(engine, "b", by="replica-2", at=NOON - timedelta(minutes=5))
    with session_scope(engine) as session:
        assert active_version_number(session=session) == second.version.version
    again = apply(engine, "a", by="replica-2", at=NOON - timedelta(minutes=5))
    assert (again.created, again.activated) == (False, True)  # a roll-back
    with session_scope(engine) as session:
        assert active_version_number(session=session) == again.version.version
    engine.dispose()
