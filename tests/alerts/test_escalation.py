"""Nobody claims a hot lead within the SLA: reassigned along the rotation, then @here once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from bot.alerts import deliver_due, escalate_overdue
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.alert_claims import claim_alert
from storage.engine import session_scope
from tests.alerts.conftest import alert_row, ingest
from tests.support.events import hot_lead

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SLA = timedelta(minutes=15)


def _thread_replies(emulator: SlackEmulator) -> list[dict[str, object]]:
    return [c.params for c in emulator.calls_to("chat.postMessage") if c.params.get("thread_ts")]


def _posted_alert(services: Services, **lead: object) -> int:
    (alert_id,) = ingest(services, hot_lead("ana@acme.io", name="Ana Ruiz", **lead))
    assert deliver_due(services).sent == 1
    return alert_id


def test_unclaimed_alert_is_reassigned_along_the_rotation_then_here_once(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        alert_id = _posted_alert(services, region="EMEA")
        clock.tick(SLA - timedelta(seconds=1))
        assert escalate_overdue(services) == 0, "still within the SLA"
        clock.tick(timedelta(seconds=1))
        assert escalate_overdue(services) == 1
        assert escalate_overdue(services) == 0, "a second sweep the same minute"
        assert alert_row(services, alert_id).assignee == "U02"
        clock.tick(SLA)
        assert escalate_overdue(services) == 1, "U02 had 15 minutes too: back to U01"
        clock.tick(SLA)
        assert escalate_overdue(services) == 1, "two reassignments done: @here"
        clock.tick(timedelta(hours=3))
        assert escalate_overdue(services) == 0, "and never again"

    first, second, here = _thread_replies(emulator)
    alert = alert_row(services, alert_id)
    assert first["channel"] == "C0EMEA"
    assert first["thread_ts"] == alert.message_ts
    assert str(first["text"]).startswith(
        ":arrows_counterclockwise: Reassigned to <@U02>: <@U01> did not claim Ana Ruiz"
    )
    assert "in 15 min" in str(first["text"])
    assert str(second["text"]).startswith(
        ":arrows_counterclockwise: Reassigned to <@U01>: <@U02> did not claim"
    )
    assert str(here["text"]).startswith(":rotating_light: <!here> nobody has claimed Ana Ruiz")
    assert "in 45 min" in str(here["text"])
    assert (alert.assignee, alert.reassignments) == ("U01", 2)
    assert alert.escalated_at == T0 + 3 * SLA
    edited = [c.params for c in emulator.calls_to("chat.update")]
    assert "For <@U02>" in str(edited[0]["blocks"]), "the alert itself names the new assignee"


def test_a_route_without_a_rotation_escalates_to_here(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        _posted_alert(services)
        clock.tick(SLA + timedelta(minutes=1))
        assert escalate_overdue(services) == 1

    (reply,) = _thread_replies(emulator)
    assert reply["channel"] == "C0SDR"
    assert str(reply["text"]).startswith(":rotating_light: <!here> nobody has claimed")


def test_a_claimed_alert_is_never_escalated(services: Services, emulator: SlackEmulator) -> None:
    with freeze_time(T0) as clock:
        alert_id = _posted_alert(services, region="EMEA")
        clock.tick(timedelta(minutes=3))
        with session_scope(services.engine) as session:
            assert claim_alert(session=session, alert_id=alert_id, user_id="U01", now=T0)
        clock.tick(timedelta(hours=1))
        assert escalate_overdue(services) == 0
    assert _thread_replies(emulator) == []


def test_an_escalation_slack_could_not_take_is_retried_by_the_next_sweep(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        _posted_alert(services, region="EMEA")
        clock.tick(SLA)
        emulator.fail_next("chat.postMessage", status=503)
        assert escalate_overdue(services) == 0
        clock.tick(timedelta(minutes=1))
        assert escalate_overdue(services) == 1
        assert escalate_overdue(services) == 0

    assert len(_thread_replies(emulator)) == 2, "the failed try, then the one that landed"
    assert len([c for c in emulator.calls_to("chat.postMessage") if c.answered_status == 200]) == 2
