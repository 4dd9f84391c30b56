"""A lead that cools below warm and heats up again alerts again; wobbling near hot does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from bot.alerts import deliver_due
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.alerts.conftest import all_alerts, ingest, posts_to
from tests.support.events import activity, lead_created

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _at(day: float) -> str:
    return (T0 + timedelta(days=day)).isoformat().replace("+00:00", "Z")


def _profile(day: float, *, senior: bool) -> dict[str, object]:
    """A lead.updated that makes Ana a senior buyer at an ICP company (fit 35), or neither."""
    fields = (
        {"title": "VP Sales", "company_size": 250}
        if senior
        else {"title": "Student", "company_size": 5}
    )
    return lead_created("ana@acme.io", region="EMEA", at=_at(day), **fields) | {
        "type": "lead.updated"
    }


def test_cooling_below_warm_rearms_and_the_next_heat_alerts_with_a_new_key(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        assert ingest(
            services, _profile(0, senior=True), activity("ana@acme.io", "demo_request", at=_at(0))
        )
        assert deliver_due(services).sent == 1

        clock.move_to(T0 + timedelta(hours=1))
        assert ingest(services, _profile(0.04, senior=False)) == [], "warm (50): no alert"
        assert ingest(services, _profile(0.05, senior=True)) == [], "hot again, same heat cycle"

        clock.move_to(T0 + timedelta(days=60))
        assert ingest(services, _profile(60, senior=False)) == [], "decayed to 37.5: cold"

        clock.move_to(T0 + timedelta(days=61))
        second = ingest(
            services, _profile(61, senior=True), activity("ana@acme.io", "demo_request", at=_at(61))
        )
        assert len(second) == 1
        assert deliver_due(services).sent == 1

    first_alert, second_alert = all_alerts(services)
    assert first_alert.alert_key.endswith("-cycle-1")
    assert second_alert.alert_key.endswith("-cycle-2")
    assert len(posts_to(emulator, "C0EMEA")) == 2
    assert second_alert.assignee == "U02", "the rotation moved on"
