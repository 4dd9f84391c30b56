"""Three people from one company on the pricing page in a week: one account alert, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from bot.alerts import deliver_due
from bot.alerts.account_view import CLAIM_ACCOUNT
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.alerts.conftest import Sdr, alert_row, ingest, posts_to
from tests.routing.conftest import account, use_routing
from tests.support.events import activity

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PRICING = "https://acme-vendor.com/pricing"


def pricing_view(email: str, at: datetime, **lead: object) -> dict[str, object]:
    return activity(email, "page_view", url=PRICING, at=at.isoformat(), **lead)


def test_an_account_alerts_once_per_heat_cycle(services: Services, emulator: SlackEmulator) -> None:
    with freeze_time(T0) as clock:
        assert ingest(services, pricing_view("ana@acme.io", T0, name="Ana Ruiz")) == []
        assert ingest(services, pricing_view("bo@eu.acme.io", T0, title="CFO")) == []
        assert ingest(services, pricing_view("cy@gmail.com", T0)) == [], "free mail: no account"
        (alert_id,) = ingest(services, pricing_view("dee@acme.io", T0))
        assert ingest(services, pricing_view("eve@acme.io", T0)) == [], "same cycle"
        assert deliver_due(services).sent == 1
        clock.tick(timedelta(days=3))
        assert ingest(services, pricing_view("fay@acme.io", T0 + timedelta(days=3))) == []
        clock.tick(timedelta(days=5))
        later = T0 + timedelta(days=8)
        assert ingest(services, pricing_view("ana@acme.io", later)) == [], "Fay and Ana only"
        assert len(ingest(services, pricing_view("bo@acme.io", later))) == 1, "a new cycle"

    alert = alert_row(services, alert_id)
    assert alert.account_id == account(services, "acme.io").id
    (post, *_) = posts_to(emulator, "C0SDR")
    assert post["text"].startswith("Account heating up: acme.io, 3 people")
    shown = str(post["blocks"])
    assert "Ana Ruiz" in shown and "(CFO)" in shown and "pricing page view" in shown
    assert "Claim account" in shown


def test_account_heat_false_turns_it_off(services: Services) -> None:
    use_routing(services, "  - channel: C0SDR\n", extra="account_heat: false\n")
    with freeze_time(T0):
        for name in ("ana", "bo", "cy", "dee"):
            assert ingest(services, pricing_view(f"{name}@acme.io", T0)) == []


def test_claim_account_makes_the_clicker_its_owner(sdr: Sdr) -> None:
    now = sdr.clock.now
    ingest(sdr.services, pricing_view("ana@acme.io", now), pricing_view("bo@acme.io", now))
    alert = sdr.hot_alert(pricing_view("cy@acme.io", now))
    assert alert.account_id is not None
    sdr.click(alert, CLAIM_ACCOUNT, user_id="U05")
    sdr.emulator.wait_for("chat.update")
    assert account(sdr.services, "acme.io").owner_id == "U05"
    assert "Claimed by <@U05>" in str(sdr.message(alert)["blocks"])
