"""The score card's **Share in channel** button: post the card for everyone.

The card is rebuilt at click time (the numbers are as of now) and carries a
"Shared by" line; the private copy is then removed so the channel shows one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slash_command import load_card
from bot.views import mrkdwn
from bot.views.score_card import score_card_message

log = logging.getLogger(__name__)

NOT_MEMBER = ("not_in_channel", "channel_not_found", "is_archived", "restricted_action")


def share_score_card(services: Services) -> Callable[..., None]:
    def handle(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        loaded = load_card(services, str(action.get("value", "")))
        if loaded is None or not channel:
            respond(
                text="That lead is no longer there, so there is nothing to share.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        card, decay = loaded
        message = score_card_message(card, decay=decay, shared_by=user_id)
        if _post(client, channel, message.text, message.blocks, respond):
            respond(delete_original=True)

    return handle


def _post(
    client: WebClient, channel: str, text: str, blocks: list[dict[str, Any]], respond: Respond
) -> bool:
    try:
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return True
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        log.warning("sharing a score card in %s failed: %s", channel, code)
        hint = (
            f"I can't post in {mrkdwn.channel(channel)}: "
            "invite me there first (`/invite @leadscore`)."
            if code in NOT_MEMBER
            else f"Slack refused to post the card ({code or 'error'}); try again in a moment."
        )
        respond(text=hint, response_type="ephemeral", replace_original=False)
        return False
