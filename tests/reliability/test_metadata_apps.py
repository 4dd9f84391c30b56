"""With ``LEADSCORE_METADATA_APP_IDS`` set, only the named CRM apps can feed leads via metadata.

Any app in the workspace can post a message with our event types; without the
setting every one is ingested (as before), with it the others are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from bot.slack_emulator import SlackEmulator, event_callback_body, signed_headers
from storage.engine import session_scope
from storage.events import count_events
from tests.conftest import SIGNING_SECRET, make_services, make_settings
from tests.support.servers import running


def _metadata_message(app_id: str, n: int) -> str:
    payload = {
        "id": f"crm-{app_id}-{n}",
        "occurred_at": "2026-11-24T15:04:05Z",
        "lead": {"email": f"lead{n}@acme.io", "title": "VP Sales"},
        "activity": {"kind": "page_view"},
    }
    return event_callback_body(
        event={
            "type": "message_metadata_posted",
            "app_id": app_id,
            "bot_id": f"B{app_id}",
            "team_id": "T0001",
            "channel_id": "C0LEADS",
            "message_ts": f"1764000000.{n:06d}",
            "event_ts": f"1764000000.{n:06d}",
            "metadata": {"event_type": "lead_activity", "event_payload": payload},
        },
        event_id=f"Ev{app_id}{n}",
    )


def _stored_after_posts(services: Services, senders: list[str]) -> int:
    server = create_server(services, workers=False)
    with running(server.http) as url, httpx.Client() as client:
        for n, app_id in enumerate(senders):
            body = _metadata_message(app_id, n)
            headers = signed_headers(
                signing_secret=SIGNING_SECRET, body=body, content_type="application/json"
            )
            response = client.post(f"{url}/slack/events", content=body, headers=headers)
            assert response.status_code == 200
    with session_scope(services.engine) as session:
        return count_events(session=session)


@pytest.fixture
def restricted(database_url: str, emulator: SlackEmulator) -> Iterator[Services]:
    settings = make_settings(database_url, emulator, metadata_app_ids="A0CRM, A0CDP")
    services = make_services(settings, emulator)
    yield services
    services.engine.dispose()


def test_only_the_named_apps_feed_leads(restricted: Services) -> None:
    assert restricted.settings.metadata_app_ids == frozenset({"A0CRM", "A0CDP"})
    assert _stored_after_posts(restricted, ["A0CRM", "A0EVIL", "A0CDP", "A0EVIL"]) == 2


def test_without_the_setting_any_app_feeds_leads(services: Services) -> None:
    assert _stored_after_posts(services, ["A0CRM", "A0OTHER"]) == 2
