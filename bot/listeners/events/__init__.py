"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events.metadata import ingest_metadata_event
from bot.services import Services


def register(app: App, services: Services) -> None:
    app.event("message_metadata_posted")(ingest_metadata_event(services))
