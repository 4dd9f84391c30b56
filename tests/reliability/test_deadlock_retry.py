"""A batch PostgreSQL picks as a deadlock victim is run again, not answered with a 500.

Two replicas storing batches about overlapping leads did deadlock (found by
the replica test: one batch in five got a 500). Here two transactions take
two rows in opposite order, the classic deadlock, through the same
``in_transaction`` the ingest path uses: both must complete.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bot.ingest.transaction import in_transaction
from storage.engine import make_engine

pytestmark = pytest.mark.postgres


def test_the_deadlock_victim_is_retried_and_both_transactions_complete(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE seats (id int PRIMARY KEY, taken int NOT NULL)"))
        connection.execute(text("INSERT INTO seats VALUES (1, 0), (2, 0)"))
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {"first": 0, "second": 0}

    def take(name: str, order: tuple[int, int]) -> None:
        def work(session: object) -> None:
            attempts[name] += 1
            for step, seat in enumerate(order):
                session.execute(  # type: ignore[attr-defined]
                    text("UPDATE seats SET taken = taken + 1 WHERE id = :id"), {"id": seat}
                )
                if step == 0 and attempts[name] == 1:
                    both_hold_one.wait()

        in_transaction(engine, work, what=name)

    threads = [
        threading.Thread(target=take, args=("first", (1, 2))),
        threading.Thread(target=take, args=("second", (2, 1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with engine.connect() as connection:
        taken = dict(connection.execute(text("SELECT id, taken FROM seats")).all())
    engine.dispose()
    assert taken == {1: 2, 2: 2}
    assert sorted(attempts.values()) == [1, 2]
