"""Opening the database and building services, the same way for every command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from bot.ingest.service import utc_now
from bot.services import Services, build_services
from bot.settings import Settings, SettingsError
from storage.engine import make_engine
from storage.schema import upgrade


def open_services(
    settings: Settings,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
) -> Services:
    """Connect, bring the schema up to date (idempotent) and wire the services."""
    try:
        engine = make_engine(settings.database_url)
    except Exception as exc:  # malformed URL, missing driver
        raise SettingsError(f"LEADSCORE_DATABASE_URL is not usable: {exc}") from None
    try:
        if migrate:
            upgrade(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SettingsError(f"LEADSCORE_DATABASE_URL: cannot open the database: {reason}") from None
    return build_services(settings, engine=engine, client=client, clock=clock)
