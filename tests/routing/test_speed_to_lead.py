"""The weekly digest says how conversion depends on how fast alerts were claimed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from bot.alerts import deliver_due
from bot.digest.post import post_weekly_digest
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from scoring.speed_to_lead import ClaimedDeal, bucket, speed_to_lead
from storage.alert_claims import claim_alert
from storage.engine import session_scope
from tests.alerts.conftest import ingest
from tests.digest.conftest import assert_within_limits, texts
from tests.support.events import deal, hot_lead

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_claim_times_fall_in_buckets_and_medians_are_per_rep() -> None:
    assert [bucket(m) for m in (0, 4.9, 5, 29, 30, 119, 120, None)] == [
        "<5 min", "<5 min", "5–30 min", "5–30 min", "30–120 min", "30–120 min", "later", "never",
    ]  # fmt: skip
    speed = speed_to_lead(
        [
            ClaimedDeal("hot", 2, True),
            ClaimedDeal("hot", 3, False),
            ClaimedDeal("hot", None, False),
        ],
        [("U01", 2), ("U01", 10), ("U01", 3), ("U02", 200)],
        bands=("hot", "warm", "cold"),
    )
    fast = speed.cells["hot"]["<5 min"]
    assert (fast.closed, fast.won, fast.conversion) == (2, 1, 0.5)
    assert speed.cells["hot"]["never"].closed == 1
    assert speed.reps == [("U01", 3, 3), ("U02", 200, 1)]


def test_the_digest_has_a_speed_to_lead_section(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        emails = [f"lead{i}@c{i}.io" for i in range(3)]
        ids = [ingest(services, hot_lead(email, at=T0.isoformat()))[0] for email in emails]
        deliver_due(services)
        for alert_id, rep, wait in ((ids[0], "U01", 2), (ids[1], "U02", 300)):
            with session_scope(services.engine) as session:
                at = T0 + timedelta(minutes=wait)
                claim_alert(session=session, alert_id=alert_id, user_id=rep, now=at)
        opened, closed = (T0 + timedelta(days=n) for n in (1, 3))
        for email, outcome in zip(
            emails, ("closed_won", "closed_lost", "closed_lost"), strict=True
        ):
            ingest(services, deal(email, "opportunity", at=opened.isoformat()))
            ingest(services, deal(email, outcome, at=closed.isoformat()))
        clock.tick(timedelta(days=3))
    post_weekly_digest(services, period="2026-W46", now=T0 + timedelta(days=10))
    (post,) = [
        call.params
        for call in emulator.calls_to("chat.postMessage")
        if call.params.get("channel") == "C0DIGEST"
    ]
    assert_within_limits(post["blocks"])
    shown = texts(post["blocks"])
    assert "Speed to lead" in shown
    assert "1/1 100%" in shown, "the lead claimed in 2 minutes was won"
    assert "<@U01> 2 min (1 claims)" in shown and "<@U02> 300 min (1 claims)" in shown
