"""Several replicas share one database: each alert is posted, claimed and escalated once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from freezegun import freeze_time

from bot.alerts import deliver_due, escalate_overdue
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.alert_claims import claim_alert
from storage.engine import session_scope
from tests.alerts.conftest import alert_row, ingest
from tests.conftest import make_services, make_settings
from tests.support.events import hot_lead

T = TypeVar("T")
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def replica(database_url: str, emulator: SlackEmulator) -> Iterator[Services]:
    """A second process on the same database and the same Slack."""
    built = make_services(make_settings(database_url, emulator), emulator)
    yield built
    built.engine.dispose()


def together(*jobs: Callable[[], T]) -> list[T]:
    """Run the jobs in threads released at the same instant; their results in order."""
    start = threading.Barrier(len(jobs))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], T]) -> None:
        start.wait()
        try:
            results.append(job())
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_replicas_draining_the_outbox_post_each_alert_once(
    services: Services, replica: Services, emulator: SlackEmulator
) -> None:
    alert_ids = ingest(services, *[hot_lead(f"lead{i}@acme.io", region="EMEA") for i in range(30)])
    assert len(alert_ids) == 30

    stats = together(lambda: deliver_due(services), lambda: deliver_due(replica))

    assert sum(s.sent for s in stats) == 30
    keys = Counter(
        c.params["metadata"]["event_payload"]["alert_key"]
        for c in emulator.calls_to("chat.postMessage")
    )
    assert len(keys) == 30 and set(keys.values()) == {1}


def test_simultaneous_claims_have_exactly_one_winner(services: Services, replica: Services) -> None:
    (alert_id,) = ingest(services, hot_lead("ana@acme.io", region="EMEA"))
    deliver_due(services)

    def claim_as(user_id: str, services: Services) -> bool:
        with session_scope(services.engine) as session:
            return claim_alert(session=session, alert_id=alert_id, user_id=user_id, now=T0)

    users = ["U01", "U02", "U03", "U04"]
    wins = together(
        *[
            (lambda u=u, s=s: (u, claim_as(u, s)))
            for u, s in zip(users, [services, replica] * 2, strict=True)
        ]
    )

    winners = [user for user, won in wins if won]
    assert len(winners) == 1
    assert alert_row(services, alert_id).claimed_by == winners[0]


def test_two_replicas_sweeping_the_same_minute_escalate_once(
    services: Services, replica: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        ingest(services, hot_lead("ana@acme.io", region="EMEA"))
        deliver_due(services)
        clock.tick(timedelta(minutes=20))
        escalated = together(lambda: escalate_overdue(services), lambda: escalate_overdue(replica))

    assert sorted(escalated) == [0, 1]
    assert len([c for c in emulator.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1
