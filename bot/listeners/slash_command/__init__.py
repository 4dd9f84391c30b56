"""Slash command listeners: ``/leadscore`` and its Share button.

All ack at once (empty) and answer from a lazy listener, because Bolt runs
with ``process_before_response=True``: whatever runs before ack counts
against Slack's 3-second limit. ``/leadscore calibrate`` is its own listener
so the manager gate (a listener middleware) stands in front of it alone.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.listeners.manager_gate import managers_only
from bot.listeners.slash_command.leadscore import answer_leadscore
from bot.listeners.slash_command.share import share_score_card
from bot.services import Services
from bot.slash_command.calibrate import calibrate_refusal
from bot.slash_command.parse import CalibrateQuery, parse_command
from bot.views.score_card import SHARE_ACTION


def acknowledge(ack: Ack) -> None:
    ack()


def asks_to_calibrate(command: dict[str, Any]) -> bool:
    return isinstance(parse_command(command.get("text")), CalibrateQuery)


def register(app: App, services: Services) -> None:
    app.command(
        "/leadscore",
        matchers=[asks_to_calibrate],
        middleware=[managers_only(services, calibrate_refusal)],
    )(ack=acknowledge, lazy=[answer_leadscore(services)])
    app.command("/leadscore")(ack=acknowledge, lazy=[answer_leadscore(services)])
    app.action(SHARE_ACTION)(ack=acknowledge, lazy=[share_score_card(services)])
