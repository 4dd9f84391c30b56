"""Accounts and owners where SDRs look: score card, /leadscore account, App Home, help."""

from __future__ import annotations

from tests.slash_command.conftest import SlackUser, assert_within_limits, texts
from tests.support.events import hot_lead, lead_created


def test_account_command_card_home_and_help(slack: SlackUser) -> None:
    slack.ingest(
        lead_created("ana@eu.acme.io", name="Ana Ruiz", owner="U01"),
        hot_lead("bo@acme.io", name="Bo Li"),
        lead_created("cy@gmail.com", name="Cy Ng"),
    )
    answer = slack.command("account www.acme.io")
    assert_within_limits(answer)
    shown = texts(answer)
    assert "Account *acme.io* · owner <@U01>" in shown
    assert shown.index("Bo Li") < shown.index("Ana Ruiz"), "best score first"

    card = texts(slack.command("ana@eu.acme.io"))
    assert "Account *acme.io* · owner <@U01>" in card
    assert "Account: none (personal email)" in texts(slack.command("cy@gmail.com"))
    assert "No account nowhere.io yet." in texts(slack.command("account nowhere.io"))

    slack.event({"type": "app_home_opened", "user": "U01", "tab": "home", "event_ts": "1.1"})
    [publish] = slack.emulator.wait_for("views.publish")
    home = texts(publish.params["view"])
    assert "Your accounts" in home and "• acme.io" in home

    help_text = texts(slack.command("help"))
    for command in ("/leadscore account", "/leadscore away", "/leadscore back"):
        assert command in help_text


def test_outside_text_in_an_account_is_escaped(slack: SlackUser) -> None:
    slack.ingest(lead_created("ana@acme.io", account="<!channel> <@U99>"))
    shown = texts(slack.command("ana@acme.io"))
    assert "&lt;!channel&gt; &lt;@U99&gt;" in shown
    assert "<!channel>" not in shown


def test_the_cli_card_names_the_account_and_owner(slack: SlackUser) -> None:
    from bot.scorecard import build_score_card
    from storage.engine import session_scope
    from storage.lookup import lead_by_email

    slack.ingest(lead_created("ana@eu.acme.io", owner="U01"))
    with session_scope(slack.services.engine) as session:
        lead = lead_by_email(session=session, email="ana@eu.acme.io")
        assert lead is not None
        rules = slack.services.rulebook.active(session)
        card = build_score_card(
            session=session, lead=lead, rules=rules, alert=None, now=slack.services.clock()
        ).to_json()
    assert (card["account"], card["account_owner"]) == ("acme.io", "U01")
