"""The digest's **Apply suggestions** button."""

from __future__ import annotations

from slack_bolt import App

from bot.digest.views import APPLY_ACTION
from bot.listeners.digest.apply import acknowledge, apply_suggestions
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Ack at once; applying (a new rule version and a full rescore) runs lazily."""
    app.action(APPLY_ACTION)(ack=acknowledge, lazy=[apply_suggestions(services)])
