"""What an SDR reads in an alert, and that Slack would accept it whatever the lead's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.alert_view import activity_label, ago, alert_message, top_reasons, waited
from bot.scorecard import ScoreCard
from bot.slack_emulator.blocks import MAX_MESSAGE_BLOCKS, block_errors
from scoring.evaluate import ActivityRecord, LeadScore, RuleHit
from storage.models import Alert, Lead

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
HITS = (
    RuleHit("Senior title", "fit", 20, 1),
    RuleHit("Government", "fit", -5, 1),
    RuleHit("Pricing page visit", "behavior", 30, 3, 3, True),
    RuleHit("Demo request", "behavior", 50, 1),
    RuleHit("Email opened", "behavior", 4, 2, 3),
)


def _card(lead: Lead, recent: list[ActivityRecord], alert: Alert) -> ScoreCard:
    result = LeadScore(
        score=99,
        fit=15,
        behavior=84,
        band="hot",
        hits=HITS,
        last_activity_at=NOW,
        behavior_decaying=84,
        behavior_fixed=0,
        decay_factor=1.0,
    )
    return ScoreCard(lead, result, 1, recent, alert, None, NOW)


def _alert(**state: object) -> Alert:
    return Alert(
        id=7,
        alert_key="lead-1-cycle-1",
        lead_id=1,
        channel="C0EMEA",
        assignee="U01",
        score=99,
        status="sent",
        created_at=NOW - timedelta(minutes=10),
        sent_at=NOW - timedelta(minutes=10),
        **state,
    )


def _lead(**fields: object) -> Lead:
    values: dict[str, object] = {
        "id": 1,
        "email": "ana@acme.io",
        "name": "Ana Ruiz",
        "title": "VP Sales",
        "company": "Acme",
        "company_size": 250,
        "created_at": NOW,
    }
    return Lead(**(values | fields))


def test_activities_read_as_what_happened_and_when() -> None:
    pricing = ActivityRecord("page_view", NOW - timedelta(minutes=5), "https://ex.com/pricing")
    assert f"{activity_label(pricing)} · {ago(pricing.occurred_at, NOW)}" == (
        "pricing page view · 5 min ago"
    )
    assert activity_label(ActivityRecord("demo_request", NOW)) == "demo request"
    assert activity_label(ActivityRecord("content_download", NOW, "https://ex.com/w/guide")) == (
        "content download (guide)"
    )
    assert [ago(NOW - d, NOW) for d in (timedelta(seconds=20), timedelta(hours=3))] == [
        "just now",
        "3 h ago",
    ]
    assert ago(NOW - timedelta(days=9), NOW) == "9 d ago"
    assert ago(NOW + timedelta(minutes=2), NOW) == "just now", "clock skew is not the future"


def test_the_three_strongest_reasons_and_never_a_penalty() -> None:
    assert [hit.name for hit in top_reasons(HITS)] == [
        "Demo request",
        "Pricing page visit",
        "Senior title",
    ]


def test_minutes_to_claim_read_naturally() -> None:
    assert waited(NOW, NOW + timedelta(seconds=40)) == "less than a minute"
    assert waited(NOW, NOW + timedelta(minutes=7, seconds=59)) == "7 min"
    assert waited(NOW, NOW + timedelta(minutes=65)) == "1 h 5 min"
    assert waited(NOW, NOW + timedelta(hours=2)) == "2 h"


def test_an_enormous_lead_still_fits_slack_limits() -> None:
    lead = _lead(name="N" * 5000, title="T" * 5000, company="C" * 5000, email="a" * 300 + "@x.io")
    recent = [
        ActivityRecord("page_view", NOW - timedelta(minutes=i), "https://ex.com/" + "p" * 4000)
        for i in range(200)
    ]
    message = alert_message(_card(lead, recent, _alert()), _alert(), NOW)

    assert block_errors(message.blocks, max_blocks=MAX_MESSAGE_BLOCKS) == []
    assert message.text.startswith("Hot lead: NNN")
    assert len(message.blocks) <= MAX_MESSAGE_BLOCKS


def test_user_data_cannot_inject_mentions_or_links() -> None:
    lead = _lead(name="<!channel> & <@U999>")
    message = alert_message(_card(lead, [], _alert()), _alert(), NOW)
    assert "<!channel>" not in str(message.blocks[1]) and "<!channel>" not in message.text
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in str(message.blocks[1])


def test_a_claimed_alert_says_who_and_how_fast_and_drops_its_buttons() -> None:
    alert = _alert(claimed_by="U02", claimed_at=NOW)
    message = alert_message(_card(_lead(), [], alert), alert, NOW)
    assert [b["type"] for b in message.blocks][-1] == "section"
    when = f"<!date^{int(NOW.timestamp())}^{{date_short_pretty}} at {{time}}|Wed 25 Nov 10:00 UTC>"
    assert message.blocks[-1]["text"]["text"] == (
        f":white_check_mark: Claimed by <@U02> 10 min after the alert ({when})"
    )
    assert message.text == (
        "Hot lead: Ana Ruiz (ana@acme.io) at Acme, score 99. "
        f"Claimed by <@U02> 10 min after the alert ({when})"
    )
