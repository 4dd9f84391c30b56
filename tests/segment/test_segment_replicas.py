"""Two replicas on one PostgreSQL: anonymous events and the identifies that claim them race."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.ingest import Item
from bot.segment.intake import SegmentIntake
from bot.segment.messages import Envelope
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.segment import count_pending
from tests.conftest import make_services, make_settings

LEADS = 30


@pytest.fixture
def replicas(postgres_url: str, emulator: SlackEmulator) -> Iterator[list[Services]]:
    settings = make_settings(postgres_url, emulator)
    both = [make_services(settings, emulator), make_services(settings, emulator)]
    yield both
    for services in both:
        services.engine.dispose()


def _send(services: Services, messages: list[dict[str, Any]]) -> None:
    intake = SegmentIntake(services.ingestor)
    now = datetime.now(UTC)
    for index, message in enumerate(messages):
        intake.ingest([Item("message", Envelope(message, now), index)], source="segment")


def _anonymous(i: int) -> dict[str, Any]:
    return {
        "type": "track",
        "anonymousId": f"anon-{i}",
        "event": "Demo Request",
        "messageId": f"track-{i}",
    }


def _identify(i: int) -> dict[str, Any]:
    return {
        "type": "identify",
        "userId": f"user-{i}",
        "anonymousId": f"anon-{i}",
        "traits": {"email": f"lead{i}@acme.io"},
        "messageId": f"identify-{i}",
    }


@pytest.mark.postgres
@pytest.mark.slow
def test_racing_anonymous_events_and_identifies_lose_nothing_and_count_once(
    replicas: list[Services],
) -> None:
    tracks = [_anonymous(i) for i in range(LEADS)]
    identifies = [_identify(i) for i in range(LEADS)]
    for _ in range(2):  # the second round is every message resent: nothing changes
        threads = [
            threading.Thread(target=_send, args=(replicas[0], tracks)),
            threading.Thread(target=_send, args=(replicas[1], identifies)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with session_scope(replicas[0].engine) as session:
            assert count_pending(session=session) == 0
            scores = [
                lead_by_email(session=session, email=f"lead{i}@acme.io") for i in range(LEADS)
            ]
            assert [lead.score if lead else None for lead in scores] == [50.0] * LEADS
