"""Buttons on hot-lead alerts (Claim, Not a fit, Snooze 1 day) and the reason modal.

Each acks at once; the database change and the Slack calls run lazily
(``process_before_response`` would otherwise hold Slack's 3-second ack).
"""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.alerts.account_view import CLAIM_ACCOUNT
from bot.alerts.alert_view import CLAIM, NOT_FIT, SNOOZE
from bot.alerts.not_fit import MODAL_CALLBACK
from bot.listeners.actions.alert_buttons import claim_lead, snooze_lead
from bot.listeners.actions.not_fit import ask_reason, record_reason
from bot.services import Services


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    app.action(CLAIM)(ack=acknowledge, lazy=[claim_lead(services)])
    app.action(CLAIM_ACCOUNT)(ack=acknowledge, lazy=[claim_lead(services)])
    app.action(SNOOZE)(ack=acknowledge, lazy=[snooze_lead(services)])
    app.action(NOT_FIT)(ack=acknowledge, lazy=[ask_reason(services)])
    app.view(MODAL_CALLBACK)(ack=acknowledge, lazy=[record_reason(services)])
