"""App Home listeners."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.listeners.home.opened import publish_home
from bot.services import Services


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home(services)])
