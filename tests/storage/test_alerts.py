"""A batch's round-robin turns and outbox rows, written at once, as one alert at a time would."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import select

from storage.alerts import NewAlert, create_alerts, take_turns
from storage.engine import session_scope
from storage.models import Alert, RoutingTurn

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


def turns(engine: Engine, *rotations: tuple[str, int]) -> list[int]:
    """The turns one batch's alerts take, committed as an ingest batch commits them."""
    with session_scope(engine) as session:
        return take_turns(session=session, rotations=rotations)


def stored_turns(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {t.route_key: t.next_index for t in session.exec(select(RoutingTurn))}


def test_each_route_rotates_on_its_own_and_the_next_batch_continues(engine: Engine) -> None:
    first = turns(engine, ("emea", 3), ("amer", 2), ("emea", 3), ("emea", 3), ("amer", 2))
    assert first == [0, 0, 1, 2, 1]
    assert stored_turns(engine) == {"emea": 3, "amer": 2}
    second = turns(engine, ("amer", 2), ("emea", 3), ("amer", 2), ("emea", 3), ("emea", 3))
    assert second == [0, 0, 1, 1, 2]
    assert turns(engine, ("emea", 3)) == [0]
    assert stored_turns(engine) == {"emea": 7, "amer": 4}
    assert turns(engine) == []


def test_replicas_taking_turns_at_the_same_moment_never_share_one(engine: Engine) -> None:
    size, per_batch = 40, 10
    start = threading.Barrier(4)
    taken: list[int] = []
    errors: list[BaseException] = []

    def replica() -> None:
        start.wait()
        try:
            taken.extend(turns(engine, *[("emea", size)] * per_batch))
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(taken) == list(range(size))


def test_alert_ids_come_back_in_the_order_the_alerts_were_given(engine: Engine) -> None:
    def alert(lead_id: int, channel: str, assignee: str | None) -> NewAlert:
        return NewAlert(lead_id=lead_id, cycle=1, channel=channel, assignee=assignee, score=80.0)

    earlier = [alert(9, "C0SDR", None)]
    batch = [alert(5, "C0EMEA", "U02"), alert(2, "C0AMER", "U11"), alert(7, "C0SDR", None)]
    later = [alert(3, "C0EMEA", "U03")]
    with session_scope(engine) as session:
        assert create_alerts(session=session, alerts=[], now=NOON) == []
        first = create_alerts(session=session, alerts=earlier, now=NOON)
    with session_scope(engine) as session:
        ids = create_alerts(session=session, alerts=batch, now=NOON)
        ids += create_alerts(session=session, alerts=later, now=NOON)  # same transaction
    assert len(set(first + ids)) == 5
    with session_scope(engine) as session:
        stored = {a.id: a for a in session.exec(select(Alert))}
    assert set(stored) == {*first, *ids}
    assert [(stored[i].lead_id, stored[i].channel, stored[i].assignee) for i in ids] == [
        (5, "C0EMEA", "U02"),
        (2, "C0AMER", "U11"),
        (7, "C0SDR", None),
        (3, "C0EMEA", "U03"),
    ]
    row = stored[ids[0]]
    assert (row.alert_key, row.status, row.attempts, row.score) == (
        "lead-5-cycle-1",
        "pending",
        0,
        80,
    )
    assert row.created_at == row.next_attempt_at == NOON
