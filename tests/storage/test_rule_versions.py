"""Rule set versions: the newest activation wins, whatever the applying machine's clock says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.engine import make_engine, session_scope
from storage.rule_sets import active_version_number, store_version
from storage.schema import upgrade

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_a_version_applied_from_a_lagging_clock_still_becomes_active(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        store_version(
            session=session,
            name="a",
            content="a",
            content_hash="a" * 64,
            applied_by="replica-1",
            now=NOON,
        )
    with session_scope(engine) as session:
        second = store_version(
            session=session,
            name="b",
            content="b",
            content_hash="b" * 64,
            applied_by="replica-2",
            now=NOON - timedelta(minutes=5),
        )
    with session_scope(engine) as session:
        assert active_version_number(session=session) == second.version.version
        again = store_version(
            session=session,
            name="a",
            content="a",
            content_hash="a" * 64,
            applied_by="replica-2",
            now=NOON - timedelta(minutes=5),
        )
        assert (again.created, again.activated) == (False, True)  # a roll-back
    with session_scope(engine) as session:
        assert active_version_number(session=session) == again.version.version
    engine.dispose()
