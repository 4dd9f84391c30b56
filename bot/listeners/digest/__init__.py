"""The digest's **Apply suggestions** button, for managers only."""

from __future__ import annotations

from slack_bolt import App

from bot.digest.report_view import APPLY_ACTION
from bot.listeners.digest.apply import acknowledge, apply_suggestions, not_a_manager
from bot.listeners.manager_gate import managers_only
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Ack at once; applying (a new rule version and a full rescore) runs lazily."""
    app.action(APPLY_ACTION, middleware=[managers_only(services, not_a_manager)])(
        ack=acknowledge, lazy=[apply_suggestions(services)]
    )
