"""Two replicas at once: capacity is never double-counted, each SLA step is taken once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from bot.alerts import deliver_due, escalate_overdue
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from storage.models import Alert, RepLoad
from tests.alerts.conftest import alert_row, all_alerts, ingest
from tests.conftest import make_services, make_settings
from tests.routing.conftest import use_routing
from tests.support.events import hot_lead

ROUTING = """\
  - channel: C0SDR
    assignees: [U01, U02]
    max_alerts_per_rep_per_day: 3
"""


def test_two_replicas_share_capacity_without_double_counting(
    services: Services, emulator: SlackEmulator, database_url: str
) -> None:
    use_routing(services, ROUTING)
    other = make_services(make_settings(database_url, emulator), emulator)
    use_routing(other, ROUTING)
    try:
        with freeze_time("2026-11-25T12:00:00Z"):

            def one(i: int) -> list[int]:
                replica = services if i % 2 else other
                return ingest(replica, hot_lead(f"lead{i}@c{i}.io"))

            with ThreadPoolExecutor(max_workers=4) as pool:
                ids = [alert_id for batch in pool.map(one, range(16)) for alert_id in batch]
    finally:
        other.engine.dispose()

    assert len(ids) == 16
    alerts = all_alerts(services)
    assigned = [alert.assignee for alert in alerts if alert.assignee]
    assert sorted(assigned) == ["U01"] * 3 + ["U02"] * 3
    assert sum(1 for alert in alerts if (alert.routing or {}).get("via") == "nobody") == 10
    with session_scope(services.engine) as session:
        loads = dict(session.execute(select(RepLoad.user_id, RepLoad.alerts)).all())
        assert loads == {"U01": 3, "U02": 3}
        assert session.execute(select(func.count()).select_from(Alert)).scalar_one() == 16


def test_two_replicas_sweeping_together_take_each_reassignment_step_once(
    services: Services, emulator: SlackEmulator, database_url: str
) -> None:
    three = "  - channel: C0SDR\n    assignees: [U01, U02, U03]\n"
    other = make_services(make_settings(database_url, emulator), emulator)
    use_routing(other, three)  # (making services applies the fixture rules again)
    try:
        with freeze_time("2026-11-25T12:00:00Z") as clock:
            (alert_id,) = ingest(services, hot_lead("ana@acme.io"))
            assert deliver_due(services).sent == 1
            steps = []
            for _ in range(4):
                clock.tick(timedelta(minutes=15))
                with ThreadPoolExecutor(max_workers=2) as pool:
                    steps.append(sum(pool.map(escalate_overdue, (services, other))))
    finally:
        other.engine.dispose()

    assert steps == [1, 1, 1, 0], "two reassignments, the @here, then nothing"
    replies = [
        str(call.params["text"])
        for call in emulator.calls_to("chat.postMessage")
        if call.params.get("thread_ts")
    ]
    assert [reply.split(":", 2)[1] for reply in replies] == [
        "arrows_counterclockwise",
        "arrows_counterclockwise",
        "rotating_light",
    ]
    alert = alert_row(services, alert_id)
    assert (alert.assignee, alert.reassignments) == ("U03", 2)
