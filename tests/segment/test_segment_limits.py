"""What a sender sees at the edges: credentials, gzip, the Spec's size limits, the webhook."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from storage.engine import session_scope
from storage.events import count_events, dead_letters
from storage.lookup import lead_by_email
from tests.segment.conftest import WEBHOOK_SECRET, WRITE_KEY, Served


def _auth(key: str = WRITE_KEY) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _post(served: Served, path: str, body: bytes, **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers}
    return httpx.post(f"{served.url}{path}", content=body, headers=sent, timeout=10)


def _track(message_id: str, user: str = "user-1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": user,
        "event": "Demo Request",
        "messageId": message_id,
        "context": {"traits": {"email": f"{user}@acme.io"}},
        **extra,
    }


def _events(served: Served) -> int:
    with session_scope(served.services.engine) as session:
        return count_events(session=session)


def _dead(served: Served) -> list[tuple[str | None, str]]:
    with session_scope(served.services.engine) as session:
        return [(d.source, d.error) for d in dead_letters(session=session)]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"wrong:").decode(),
        "Bearer " + WRITE_KEY,
        "Basic %%%",
        "Basic " + base64.b64encode("clé:".encode("latin-1")).decode(),
    ],
)
def test_missing_or_wrong_credentials_are_401(served: Served, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    body = json.dumps({"batch": [_track("m-1")]}).encode()
    response = _post(served, "/v1/batch", body, **headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert _events(served) == 0


def test_a_batch_over_500_kb_is_413(served: Served) -> None:
    batch = [_track(f"m-{i}", properties={"note": "x" * 20_000}) for i in range(26)]
    body = json.dumps({"batch": batch}).encode()
    assert len(body) > 500 * 1024
    assert _post(served, "/v1/batch", body, **_auth()).status_code == 413
    squeezed = gzip.compress(body)  # small on the wire, too large once read
    assert len(squeezed) < 500 * 1024
    response = _post(served, "/v1/batch", squeezed, **_auth(), **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert _events(served) == 0


def test_a_message_over_32_kb_is_refused_alone_and_kept(served: Served) -> None:
    big = _track("m-big", user="big", properties={"note": "x" * (33 * 1024)})
    body = json.dumps({"batch": [_track("m-ok"), big]}).encode()
    response = _post(served, "/v1/batch", body, **_auth())
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert [(r["index"], r["messageId"]) for r in response.json()["rejected"]] == [(1, "m-big")]
    assert _events(served) == 1
    assert [(s, e[:25]) for s, e in _dead(served)] == [("segment", "message is larger than 32")]
    single = _post(served, "/v1/track", json.dumps(big).encode(), **_auth())
    assert single.status_code == 400
    assert len(_dead(served)) == 1  # the same refused message, resent: kept once


def test_an_invalid_message_is_dead_lettered_and_its_neighbours_stored(served: Served) -> None:
    batch = [_track("m-1"), {"type": "track", "event": "x", "messageId": "m-2"}, _track("m-3")]
    response = _post(served, "/v1/batch", json.dumps({"batch": batch}).encode(), **_auth())
    assert response.json()["rejected"][0]["index"] == 1
    assert "userId or an anonymousId" in response.json()["rejected"][0]["error"]
    assert _events(served) == 2


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"{not json", {}),
        (b"[1, 2]", {}),
        (b"not gzip", {"Content-Encoding": "gzip"}),
        (gzip.compress(b'{"batch": []}')[:-8], {"Content-Encoding": "gzip"}),
    ],
)
def test_unreadable_bodies_are_400(served: Served, body: bytes, headers: dict[str, str]) -> None:
    response = _post(served, "/v1/batch", body, **_auth(), **headers)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_sent_at_corrects_the_senders_clock(served: Served) -> None:
    """A device whose clock is a day fast: its message lands at our time, not the device's."""
    device_now = datetime.now(UTC) + timedelta(days=1)
    message = _track("m-skew", timestamp=(device_now - timedelta(hours=2)).isoformat())
    body = {"batch": [message], "sentAt": device_now.isoformat()}
    _post(served, "/v1/batch", json.dumps(body).encode(), **_auth())
    with session_scope(served.services.engine) as session:
        lead = lead_by_email(session=session, email="user-1@acme.io")
        assert lead is not None and lead.last_activity_at is not None
        two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
        assert abs(lead.last_activity_at - two_hours_ago) < timedelta(minutes=1)


def _signature(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def test_the_webhooks_destination_delivers_signed_messages(served: Served) -> None:
    stamp = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    message = _track(
        "m-hook",
        timestamp=stamp,
        sentAt="2020-01-01T00:00:00Z",
        originalTimestamp="2020-01-01T00:00:00Z",
    )
    body = json.dumps(message).encode()
    response = _post(served, "/v1/webhook", body, **{"X-Signature": _signature(body)})
    assert response.json() == {"success": True}
    again = _post(served, "/v1/webhook", body, **{"X-Signature": _signature(body).upper()})
    assert again.status_code == 200
    assert _events(served) == 1
    with session_scope(served.services.engine) as session:
        lead = lead_by_email(session=session, email="user-1@acme.io")
        assert lead is not None and lead.last_activity_at is not None
        # Segment computed ``timestamp`` already: it is taken as sent
        assert lead.last_activity_at == datetime.fromisoformat(stamp)


ODD_SIGNATURES = [None, "0" * 40, "é" * 40, "\xff\xfe \x80", _signature(b"{}")]


@pytest.mark.parametrize("signature", ODD_SIGNATURES)
def test_a_webhook_without_the_right_signature_is_401(
    served: Served, signature: str | None
) -> None:
    body = json.dumps(_track("m-hook")).encode()
    headers = [("Content-Type", "application/json")]
    if signature is not None:
        headers.append(("X-Signature", signature))
    raw = [(k.encode(), v.encode("latin-1")) for k, v in headers]
    response = httpx.post(f"{served.url}/v1/webhook", content=body, headers=raw, timeout=10)
    assert response.status_code == 401
    assert _events(served) == 0


def test_the_webhook_is_off_until_its_secret_is_set(unconfigured: Served) -> None:
    body = b"{}"
    response = _post(unconfigured, "/v1/webhook", body, **{"X-Signature": _signature(body)})
    assert response.status_code == 404
    assert "LEADSCORE_SEGMENT_WEBHOOK_SECRET" in response.json()["message"]
