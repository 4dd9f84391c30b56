"""The write key in the body: Segment's API takes ``writeKey`` there instead of HTTP Basic."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import httpx
import pytest

from storage.engine import session_scope
from storage.events import count_events, dead_letters
from tests.segment.conftest import WRITE_KEY, Served


def _post(served: Served, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers}
    content = json.dumps(body).encode()
    if headers.get("Content-Encoding") == "gzip":
        content = gzip.compress(content)
    return httpx.post(f"{served.url}{path}", content=content, headers=sent, timeout=10)


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def _track(message_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": "user-1",
        "event": "Demo Request",
        "messageId": message_id,
        "context": {"traits": {"email": "user-1@acme.io"}},
        **extra,
    }


def _events(served: Served) -> int:
    with session_scope(served.services.engine) as session:
        return count_events(session=session)


def test_a_batch_with_the_write_key_in_its_body_is_stored(served: Served) -> None:
    body = {"writeKey": WRITE_KEY, "batch": [_track("m-1"), _track("m-2")]}
    response = _post(served, "/v1/batch", body)
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert _events(served) == 2


def test_a_gzipped_single_message_with_the_write_key_is_stored(served: Served) -> None:
    body = {"writeKey": WRITE_KEY, **_track("m-1")}
    response = _post(served, "/v1/track", body, **{"Content-Encoding": "gzip"})
    assert response.status_code == 200
    assert _events(served) == 1


def test_the_key_in_the_body_is_not_kept_with_a_refused_message(served: Served) -> None:
    body = {"writeKey": WRITE_KEY, "type": "track", "event": "x", "messageId": "m-bad"}
    response = _post(served, "/v1/track", body)
    assert response.status_code == 400
    with session_scope(served.services.engine) as session:
        kept = [letter.payload for letter in dead_letters(session=session)]
    assert len(kept) == 1
    assert WRITE_KEY not in kept[0]


@pytest.mark.parametrize("key", ["wrong", "", 123, ["test-write-key"]])
def test_a_wrong_key_in_the_body_is_401(served: Served, key: Any) -> None:
    response = _post(served, "/v1/batch", {"writeKey": key, "batch": [_track("m-1")]})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json()["success"] is False
    assert _events(served) == 0


def test_basic_and_a_different_key_in_the_body_are_refused(served: Served) -> None:
    body = {"writeKey": "another-key", "batch": [_track("m-1")]}
    assert _post(served, "/v1/batch", body, Authorization=_basic(WRITE_KEY)).status_code == 401
    body = {"writeKey": WRITE_KEY, "batch": [_track("m-1")]}
    assert _post(served, "/v1/batch", body, Authorization=_basic("another")).status_code == 401
    assert _events(served) == 0


def test_basic_and_the_same_key_in_the_body_are_accepted(served: Served) -> None:
    body = {"writeKey": WRITE_KEY, "batch": [_track("m-1")]}
    response = _post(served, "/v1/batch", body, Authorization=_basic(WRITE_KEY))
    assert response.status_code == 200
    assert _events(served) == 1


def test_an_unreadable_body_without_basic_is_401_not_400(served: Served) -> None:
    response = httpx.post(f"{served.url}/v1/batch", content=b"{not json", timeout=10)
    assert response.status_code == 401
