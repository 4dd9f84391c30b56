"""Slash command listeners: ``/leadscore`` and its Share button.

Both ack at once (empty) and answer from a lazy listener, because Bolt runs
with ``process_before_response=True``: whatever runs before ack counts
against Slack's 3-second limit.
"""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.listeners.commands.leadscore import answer_leadscore
from bot.listeners.commands.share import share_score_card
from bot.services import Services
from bot.views.score_card import SHARE_ACTION


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    app.command("/leadscore")(ack=acknowledge, lazy=[answer_leadscore(services)])
    app.action(SHARE_ACTION)(ack=acknowledge, lazy=[share_score_card(services)])
