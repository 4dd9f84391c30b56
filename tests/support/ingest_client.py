"""Sending signed requests to ``POST /ingest`` as a CRM integration would."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from bot.http.signature import sign


def signed(body: bytes, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Leadscore-Timestamp": stamp,
        "X-Leadscore-Signature": sign(secret, stamp, body),
    }


def post_events(
    client: httpx.Client, base_url: str, events: Any, secret: str, **kwargs: Any
) -> httpx.Response:
    body = json.dumps({"events": events} if isinstance(events, list) else events).encode()
    return client.post(f"{base_url}/ingest", content=body, headers=signed(body, secret, **kwargs))
