"""An SDR asks /leadscore <email> and sees, privately, why the lead is worth a call."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.scorecard import build_score_card
from storage.engine import session_scope
from storage.lookup import current_alert, lead_by_email
from storage.models import Alert
from tests.slash_command.conftest import NOW, SlackUser, assert_within_limits, buttons, texts
from tests.support.events import activity, lead_created


def at(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat().replace("+00:00", "Z")


def engaged_ana(slack: SlackUser, *, days_ago: float = 0) -> None:
    """Ana, a VP at a 250-person company: 4 pricing visits and a demo request."""
    slack.ingest(
        lead_created(
            "ana@acme.io",
            name="Ana Ruiz",
            title="VP Sales",
            company="Acme",
            company_size=250,
            region="EMEA",
            at=at(days=days_ago + 3),
        ),
        *[
            activity(
                "ana@acme.io",
                "page_view",
                url="https://ex.com/pricing",
                at=at(days=days_ago + 2, hours=i),
            )
            for i in range(4)
        ],
        activity("ana@acme.io", "demo_request", at=at(days=days_ago, hours=3)),
    )


def test_score_card_explains_every_rule_privately(slack: SlackUser) -> None:
    engaged_ana(slack)
    reply = slack.command("ana@acme.io")
    assert reply["response_type"] == "ephemeral"
    assert_within_limits(reply)
    shown = texts(reply)
    assert "Ana Ruiz · Acme" in shown
    assert "*100* :fire: hot" in shown  # 20 + 15 + 30 + 50 clamped to 100
    assert "fit +35 · behaviour +80" in shown
    assert "*+20* Senior title _(fit)_" in shown
    assert "*+30* Pricing page visit _(behaviour · 3 of 3)_" in shown
    assert "*+50* Demo request _(behaviour)_" in shown
    assert "Decay starts in 7 days without activity, then 15% per 30 days." in shown
    assert "• demo_request · 3 h ago" in shown
    assert "• page_view /pricing · 2 d ago" in shown
    assert "Alert to <#C0EMEA>" in shown
    assert reply["text"] == "Ana Ruiz: score 100 (hot)"


def test_card_agrees_with_the_cli_score_card(slack: SlackUser) -> None:
    engaged_ana(slack, days_ago=40)
    with session_scope(slack.services.engine) as session:
        lead = lead_by_email(session=session, email="ana@acme.io")
        assert lead is not None
        card = build_score_card(
            session=session,
            lead=lead,
            rules=slack.services.rulebook.active(session),
            alert=current_alert(session=session, lead_id=lead.id or 0),
            now=NOW,
        ).to_json()
    shown = texts(slack.command("ana@acme.io"))
    assert f"*{card['score']:.0f}* " in shown
    assert f"behaviour +{card['behavior']:.1f}" in shown
    for rule in card["rules"]:
        assert f"{rule['points']:+.1f}".removesuffix(".0") in shown


def test_decay_so_far_is_shown_for_an_idle_lead(slack: SlackUser) -> None:
    engaged_ana(slack, days_ago=37)  # 30 days past the 7-day grace: behaviour x0.85
    shown = texts(slack.command("ana@acme.io"))
    assert "Behaviour ×0.85 so far (37 days idle)" in shown
    assert "keeps losing 15% per 30 days until the next activity" in shown
    assert "fit +35 · behaviour +68" in shown  # 80 x 0.85


def test_card_says_who_claimed_the_lead(slack: SlackUser) -> None:
    engaged_ana(slack)
    with session_scope(slack.services.engine) as session:
        session.execute(
            update(Alert).values(claimed_by="U01", claimed_at=NOW - timedelta(minutes=20))
        )
    shown = texts(slack.command("ana@acme.io"))
    assert "Claimed by <@U01> 20 min ago" in shown


def test_email_is_matched_however_slack_or_the_sdr_wrote_it(slack: SlackUser) -> None:
    engaged_ana(slack)
    for typed in ("ANA@Acme.io", "<mailto:ana@acme.io|ana@acme.io>"):
        assert "Ana Ruiz · Acme" in texts(slack.command(typed))


def test_card_has_a_share_button_for_this_lead(slack: SlackUser) -> None:
    engaged_ana(slack)
    [share] = buttons(slack.command("ana@acme.io"))
    assert share["text"]["text"] == "Share in channel"
    assert share["action_id"] == "share_score_card"
    assert share["value"] == "ana@acme.io"


def test_unknown_email_suggests_close_emails_and_companies(slack: SlackUser) -> None:
    engaged_ana(slack)
    reply = slack.command("ana@acme.com")
    shown = texts(reply)
    assert "No lead with the email *ana@acme.com*" in shown
    assert "`/leadscore ana@acme.io`" in shown
    assert "`/leadscore acme`" in shown
    assert reply["response_type"] == "ephemeral"


def test_a_lead_with_no_activity_yet(slack: SlackUser) -> None:
    slack.ingest(lead_created("bo@beta.io", name="Bo", company="Beta"))
    shown = texts(slack.command("bo@beta.io"))
    assert "_No rule matched this lead._" in shown
    assert "No activity yet, so nothing decays." in shown
    assert "No alert yet" in shown
