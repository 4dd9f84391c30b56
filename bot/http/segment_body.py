"""Reading a Segment-spec request: credentials, gzip, the Spec's size limits, its messages.

Limits are the Spec's: 500 KB per request (``413`` past it, compressed or
not) and 32 KB per message (that message alone is refused and kept as a dead
letter). Credentials are compared as bytes in constant time, so odd bytes in
a header give a ``401``, never a ``500``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from datetime import datetime
from typing import Any

import msgspec

from bot.ingest import Item
from bot.segment.messages import MAX_MESSAGE, Envelope

MAX_REQUEST = 500 * 1024
_ENCODE = msgspec.json.Encoder()


class BadRequest(ValueError):
    """The request as a whole cannot be read (``400``)."""


class TooLarge(ValueError):
    """The request is over ``MAX_REQUEST`` (``413``)."""


def basic_auth_ok(header: str | None, write_key: str) -> bool:
    """HTTP Basic with the write key as user name (any password), as Segment's API takes it."""
    if not header:
        return False
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip().encode("latin-1"), validate=True)
    except (binascii.Error, ValueError):
        return False
    user = decoded.partition(b":")[0]
    return hmac.compare_digest(user, write_key.encode())


def signature_ok(header: str | None, secret: str, body: bytes) -> bool:
    """``X-Signature``: hex HMAC-SHA1 of the raw body with the shared secret."""
    if not header:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest().encode()
    return hmac.compare_digest(header.strip().encode("latin-1").lower(), expected)


def decoded(body: bytes, encoding: str | None) -> bytes:
    """The body, gunzipped when ``Content-Encoding: gzip``, never past ``MAX_REQUEST``."""
    if not encoding or encoding.strip().lower() == "identity":
        return body
    if encoding.strip().lower() not in ("gzip", "x-gzip"):
        raise BadRequest(f"Content-Encoding {encoding[:40]!r} is not supported (use gzip)")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, MAX_REQUEST + 1)
    except zlib.error as exc:
        raise BadRequest(f"the gzip body cannot be read: {exc}") from None
    if len(plain) > MAX_REQUEST:
        raise TooLarge
    if not inflater.eof:
        raise BadRequest("the gzip body is truncated")
    return plain


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def envelopes(
    body: bytes, *, received_at: datetime, route_type: str | None, corrected: bool = False
) -> list[Item]:
    """The request's messages as ingest items: ``{"batch": [...]}`` or one message."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    if route_type is None and "batch" in data:
        batch = data["batch"]
        if not isinstance(batch, list) or not batch:
            raise BadRequest('"batch" must be a non-empty list of messages')
        shared = data.get("context")
        messages = [_with_context(m, shared) for m in batch] if isinstance(shared, dict) else batch
        sent_at, where = data.get("sentAt"), "batch"
        check_each = len(body) > MAX_MESSAGE
    else:
        messages, sent_at, where, check_each = [data], None, "message", True
    items = []
    for index, message in enumerate(messages):
        position = f"{where}[{index}]" if where == "batch" else where
        envelope = Envelope(message, received_at, sent_at, route_type, corrected)
        if check_each and len(_ENCODE.encode(message)) > MAX_MESSAGE:
            envelope.too_large = True
        items.append(Item(position=position, data=envelope, index=index))
    return items


def _with_context(message: Any, shared: dict[str, Any]) -> Any:
    if not isinstance(message, dict):
        return message
    own = message.get("context")
    return {**message, "context": {**shared, **own} if isinstance(own, dict) else shared}
