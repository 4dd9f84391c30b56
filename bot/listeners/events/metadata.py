"""Leads and engagement posted as Slack message metadata by another app.

Slack redelivers an event it thinks failed (``X-Slack-Retry-Num``); the event
id deduplicates it, and when a payload has no id the message's channel and
ts stand in for one, which Slack keeps across retries.

Any app in the workspace can post our event types; with
``LEADSCORE_METADATA_APP_IDS`` set, only messages posted by the named apps
(the event's ``app_id``) are ingested, others are dropped with a log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from bot.ingest import Item
from bot.logs import redact
from bot.services import Services

log = logging.getLogger(__name__)

EVENT_TYPES = {
    "lead_created": "lead.created",
    "lead_updated": "lead.updated",
    "lead_activity": "activity",
    "deal_updated": "deal.updated",
}


def to_item(event: dict[str, Any]) -> Item | None:
    """The ingest item for a metadata event, or None if it is not one of ours."""
    metadata = event.get("metadata") or {}
    kind = EVENT_TYPES.get(str(metadata.get("event_type", "")))
    if kind is None:
        return None
    payload = metadata.get("event_payload")
    if isinstance(payload, dict):
        payload = dict(payload)
        payload.setdefault("type", kind)
        payload.setdefault("id", f"slack-{event.get('channel_id')}-{event.get('message_ts')}")
    position = f"slack message {event.get('channel_id')}/{event.get('message_ts')}"
    return Item(position=position, data=payload, index=None)


def ingest_metadata_event(services: Services) -> Callable[..., None]:
    def handle(event: dict[str, Any]) -> None:
        item = to_item(event)
        if item is None:
            return
        app_id = event.get("app_id")
        if not services.settings.accepts_metadata_from(app_id):
            log.info(
                "metadata event from an app not in LEADSCORE_METADATA_APP_IDS ignored",
                extra={"app_id": app_id, "channel": event.get("channel_id")},
            )
            return
        started = time.perf_counter()
        result = services.ingestor.ingest([item], source="slack")
        fields: dict[str, object] = {
            "source": "slack",
            "event_type": (event.get("metadata") or {}).get("event_type"),
            "channel": event.get("channel_id"),
            "message_ts": event.get("message_ts"),
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": len(result.rejected),
            "alerts": len(result.alert_ids),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if result.rejected:  # one item per event: its reason, which may quote the input
            fields["error"] = redact(result.rejected[0].error)[:300]
        log.log(
            logging.WARNING if result.rejected else logging.INFO,
            "metadata event rejected" if result.rejected else "metadata event ingested",
            extra=fields,
        )

    return handle
