"""SDRs click Claim, Not a fit and Snooze 1 day on a hot-lead alert in Slack."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts import escalate_overdue
from bot.slack_emulator import RESPONSE_URL
from tests.alerts.conftest import Sdr, alert_row
from tests.support.events import activity, lead_created


def _ana(sdr: Sdr) -> list[dict[str, object]]:
    at = (sdr.clock.now - timedelta(minutes=5)).isoformat()
    return [
        lead_created(
            "ana@acme.io",
            name="Ana Ruiz",
            title="VP Sales",
            company="Acme",
            company_size=250,
            region="EMEA",
            at=at,
        ),
        activity("ana@acme.io", "demo_request", at=at),
    ]


def test_claim_edits_the_alert_with_who_and_how_fast(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))
    sdr.clock.advance(minutes=7)

    sdr.click(alert, "alert_claim", user_id="U01")

    (update,) = sdr.emulator.wait_for("chat.update")
    assert update.params["ts"] == alert.message_ts
    assert update.params["channel"] == "C0EMEA"
    claimed_at = f"<!date^{int(sdr.clock.now.timestamp())}^"
    assert f"Claimed by <@U01> 7 min after the alert ({claimed_at}" in update.params["text"]
    message = sdr.message(alert)
    assert "Claimed by <@U01> 7 min after the alert" in str(message["blocks"])
    assert not [b for b in message["blocks"] if b["type"] == "actions"], "buttons are gone"
    stored = alert_row(sdr.services, alert.id or 0)
    assert (stored.claimed_by, stored.claimed_at) == ("U01", sdr.clock.now)


def test_a_second_claimer_hears_who_has_it_and_nothing_changes(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))
    sdr.click(alert, "alert_claim", user_id="U01")
    sdr.emulator.wait_for("chat.update")
    message_before = dict(sdr.message(alert))

    response_url = sdr.click(alert, "alert_claim", user_id="U02")

    replies = sdr.emulator.wait_for(RESPONSE_URL)
    (reply,) = [r for r in replies if response_url.endswith(r.path.rsplit("/", 1)[-1])]
    assert reply.params["text"] == "This lead is already claimed by <@U01>; nothing changed."
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["replace_original"] is False
    assert len(sdr.emulator.calls_to("chat.update")) == 1
    assert sdr.message(alert) == message_before
    assert alert_row(sdr.services, alert.id or 0).claimed_by == "U01"


def test_not_a_fit_asks_why_and_keeps_the_answer_for_calibration(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))

    sdr.click(alert, "alert_not_fit", user_id="U02")

    (opened,) = sdr.emulator.wait_for("views.open")
    modal = opened.params["view"]
    assert modal["title"]["text"] == "Not a fit"
    assert "Ana Ruiz" in str(modal["blocks"])
    reasons = [o["value"] for o in modal["blocks"][1]["element"]["options"]]
    assert reasons == ["wrong persona", "too small", "competitor", "student", "other"]
    assert sdr.emulator.calls_to("chat.update") == [], "nothing changes until they answer"

    sdr.submit(modal, user_id="U02", reason="too small")

    (update,) = sdr.emulator.wait_for("chat.update")
    assert "Not a fit (too small), marked by <@U02>" in update.params["text"]
    assert not [b for b in sdr.message(alert)["blocks"] if b["type"] == "actions"]
    stored = alert_row(sdr.services, alert.id or 0)
    assert (stored.dismissed_by, stored.dismissed_reason) == ("U02", "too small")
    assert stored.dismissed_at == sdr.clock.now


def test_other_reason_keeps_the_note(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))
    sdr.click(alert, "alert_not_fit", user_id="U01")
    (opened,) = sdr.emulator.wait_for("views.open")

    sdr.submit(opened.params["view"], user_id="U01", reason="other", note="reseller")

    sdr.emulator.wait_for("chat.update")
    assert alert_row(sdr.services, alert.id or 0).dismissed_reason == "other: reseller"


def test_not_a_fit_on_a_lead_someone_claimed_is_refused_privately(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))
    sdr.click(alert, "alert_claim", user_id="U01")
    sdr.emulator.wait_for("chat.update")

    sdr.click(alert, "alert_not_fit", user_id="U02")

    (reply,) = sdr.emulator.wait_for(RESPONSE_URL)
    assert reply.params["text"] == "This lead is already claimed by <@U01>; nothing changed."
    assert sdr.emulator.calls_to("views.open") == []


def test_snooze_holds_escalation_for_a_day_and_says_so(sdr: Sdr) -> None:
    alert = sdr.hot_alert(*_ana(sdr))
    snoozed_at = sdr.clock.now

    sdr.click(alert, "alert_snooze", user_id="U01")

    (update,) = sdr.emulator.wait_for("chat.update")
    assert "Snoozed by <@U01> until" in update.params["text"]
    assert "no escalation until then" in update.params["text"]
    buttons = [b for b in sdr.message(alert)["blocks"] if b["type"] == "actions"]
    assert buttons, "a snoozed lead can still be claimed"
    assert alert_row(sdr.services, alert.id or 0).snoozed_until == snoozed_at + timedelta(days=1)

    sdr.clock.now = snoozed_at + timedelta(minutes=30)
    assert escalate_overdue(sdr.services) == 0, "past the SLA, but snoozed"
    sdr.clock.now = snoozed_at + timedelta(days=1, minutes=1)
    assert escalate_overdue(sdr.services) == 1, "the snooze is over and nobody claimed it"
    (reply,) = [c for c in sdr.emulator.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert reply.params["thread_ts"] == alert.message_ts
