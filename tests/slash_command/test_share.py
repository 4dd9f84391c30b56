"""An SDR shares a score card: the channel sees it, with who shared it."""

from __future__ import annotations

from tests.slash_command.conftest import SDR, SlackUser, assert_within_limits, buttons, texts
from tests.support.events import hot_lead


def test_share_posts_the_card_in_the_channel_the_command_came_from(slack: SlackUser) -> None:
    slack.ingest(hot_lead("ana@acme.io", name="Ana Ruiz"))
    [share] = buttons(slack.command("ana@acme.io", channel_id="C0DEALS"))
    reply = slack.click(action_id=share["action_id"], value=share["value"], channel_id="C0DEALS")
    assert reply.get("delete_original") is True
    [post] = slack.emulator.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0DEALS"
    assert post.response is not None and post.response["ok"] is True
    [shared] = slack.emulator.messages["C0DEALS"]
    assert_within_limits(shared)
    shown = texts(shared)
    assert "Ana Ruiz · Acme" in shown and "*85* :fire: hot" in shown
    assert f"Shared by <@{SDR}>" in shown
    assert buttons(shared) == []


def test_share_where_the_bot_is_not_a_member_says_how_to_fix_it(slack: SlackUser) -> None:
    slack.ingest(hot_lead("ana@acme.io"))
    slack.emulator.fail_next("chat.postMessage", status=200, error="not_in_channel")
    reply = slack.click(action_id="share_score_card", value="ana@acme.io", channel_id="C0PRIV")
    assert reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert "invite me there first" in reply["text"]
    assert "C0PRIV" not in slack.emulator.messages
