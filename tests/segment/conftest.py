"""A real ``leadscore serve`` HTTP app with the Segment routes on, and the official client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from segment.analytics import Client

from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.conftest import make_services, make_settings
from tests.support.servers import running

WRITE_KEY = "test-write-key"
WEBHOOK_SECRET = "test-webhook-secret"


@dataclass
class Served:
    url: str
    services: Services

    def analytics(self, *, write_key: str = WRITE_KEY, gzip: bool = False) -> Client:
        """Segment's own Python library, sending each call at once to this server."""
        return Client(write_key, host=self.url, sync_mode=True, gzip=gzip, max_retries=0)


@pytest.fixture
def served(database_url: str, emulator: SlackEmulator) -> Iterator[Served]:
    settings = make_settings(
        database_url,
        emulator,
        segment_write_key=WRITE_KEY,
        segment_webhook_secret=WEBHOOK_SECRET,
    )
    services = make_services(settings, emulator)
    app = create_server(services, workers=False)
    with running(app.http) as base_url:
        yield Served(base_url, services)
    services.engine.dispose()


@pytest.fixture
def unconfigured(sqlite_database_url: str, emulator: SlackEmulator) -> Iterator[Served]:
    """A server whose Segment write key and webhook secret are not set."""
    services = make_services(make_settings(sqlite_database_url, emulator), emulator)
    app = create_server(services, workers=False)
    with running(app.http) as base_url:
        yield Served(base_url, services)
    services.engine.dispose()
