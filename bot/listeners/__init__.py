"""Bolt listeners, grouped by kind; each group has ``register(app, services)``."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, events, home, slash_command
from bot.listeners import digest as digest_listeners
from bot.services import Services


def register_all(app: App, services: Services) -> None:
    """Attach every listener group to the Bolt app."""
    events.register(app, services)
    slash_command.register(app, services)
    home.register(app, services)
    digest_listeners.register(app, services)
    actions.register(app, services)
