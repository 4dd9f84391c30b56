"""Rule set versions: the newest activation wins, whatever the applying machine's clock says."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

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


def test_a_replica_storing_a_file_another_is_storing_waits_and_stores_nothing(
    database_url: str,
) -> None:
    """Replicas started together each store the start-up rule file; none may crash on it.

    Replica A has stored the file but not committed when replica B stores it
    too; B must wait for A, then find the version already active.
    """
    first, second = make_engine(database_url), make_engine(database_url)
    upgrade(first)
    outcomes: list[StoreOutcome] = []
    failures: list[BaseException] = []

    def replica_b() -> None:
        try:
            outcomes.append(apply(second, "a", by="replica-b", at=NOON))
        except BaseException as exc:
            failures.append(exc)

    with session_scope(first) as session:
        stored = store_version(
            session=session, name="a", content="a", content_hash="a" * 64,
            applied_by="replica-a", now=NOON,
        )  # fmt: skip
        other = threading.Thread(target=replica_b)
        other.start()
        wait_until_a_transaction_waits_for_a_lock(first)
    other.join(timeout=30)
    first.dispose()
    second.dispose()
    assert failures == []
    assert [(o.created, o.activated, o.version.version) for o in outcomes] == [
        (False, False, stored.version.version)
    ]


def wait_until_a_transaction_waits_for_a_lock(engine: Engine) -> None:
    """On PostgreSQL, until some backend waits on a lock (10 s at most); SQLite cannot tell."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting.scalar_one():
                return
            connection.rollback()
            time.sleep(0.01)
    raise AssertionError("the second replica never waited for the first")
