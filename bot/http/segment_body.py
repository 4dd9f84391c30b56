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
import zlib
from datetime import datetime
from typing import Any

import msgspec

from bot.ingest import Item
from bot.segment.messages import MAX_MESSAGE, Envelope
from bot.segment.timing import parse_stamp

MAX_REQUEST = 500 * 1024


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


class _Credentials(msgspec.Struct):
    """Only the body's ``writeKey``; every other field is skipped unread."""

    writeKey: Any = None


def write_key_ok(header: str | None, body: bytes, write_key: str) -> bool:
    """HTTP Basic, or the ``writeKey`` field of the JSON body, as Segment's API takes either.

    Every credential the request gives must be the write key and at least one
    must be given: a request whose header and body name different keys is
    refused. ``body`` is the decoded (gunzipped) body; one that is not a JSON
    object gives no body key.
    """
    in_body = _body_key(body)
    if in_body is not None and not (
        isinstance(in_body, str) and hmac.compare_digest(in_body.encode(), write_key.encode())
    ):
        return False
    if header:
        return basic_auth_ok(header, write_key)
    return in_body is not None


def _body_key(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body, type=_Credentials).writeKey
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


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


class _Batch(msgspec.Struct):
    """A batch request's envelope; each message stays raw JSON until its size is known."""

    batch: msgspec.Raw = msgspec.Raw(b"")
    sentAt: Any = None
    context: Any = None


_MESSAGES = msgspec.json.Decoder(list[msgspec.Raw])
_VALUE = msgspec.json.Decoder()


def envelopes(
    body: bytes, *, received_at: datetime, route_type: str | None, corrected: bool = False
) -> list[Item]:
    """The request's messages as ingest items: ``{"batch": [...]}`` or one message.

    msgspec reads the body (a third of ``json.loads``' time) and hands each
    message over as its raw bytes, so its size is known without writing it
    out again.
    """
    try:
        top = msgspec.json.decode(body, type=_Batch) if route_type is None else None
    except msgspec.ValidationError:
        raise BadRequest("body must be a JSON object") from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None
    if top is None or not top.batch:
        return [_single(body, received_at, route_type, corrected)]
    try:
        raws = _MESSAGES.decode(top.batch)
    except msgspec.ValidationError:
        raise BadRequest('"batch" must be a list of messages') from None
    if not raws:
        raise BadRequest('"batch" must not be empty')
    try:
        sent_at = parse_stamp(top.sentAt, field="sentAt") if top.sentAt is not None else None
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    shared = top.context if isinstance(top.context, dict) else None
    items = []
    for index, raw in enumerate(raws):
        message = _VALUE.decode(raw)
        if type(message) is dict:
            message.pop("writeKey", None)  # a credential, never kept with the message
        if shared is not None:
            message = _with_context(message, shared)
        envelope = Envelope(message, received_at, sent_at, None, corrected)
        envelope.too_large = len(raw) > MAX_MESSAGE
        items.append(Item(position=f"batch[{index}]", data=envelope, index=index))
    return items


def _single(body: bytes, received_at: datetime, route_type: str | None, corrected: bool) -> Item:
    try:
        message = _VALUE.decode(body)
    except msgspec.DecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None
    if not isinstance(message, dict):
        raise BadRequest("body must be a JSON object")
    message.pop("writeKey", None)  # a credential, never kept with the message
    envelope = Envelope(message, received_at, None, route_type, corrected)
    envelope.too_large = len(body) > MAX_MESSAGE
    return Item(position="message", data=envelope, index=0)


def _with_context(message: Any, shared: dict[str, Any]) -> Any:
    if not isinstance(message, dict):
        return message
    own = message.get("context")
    return {**message, "context": {**shared, **own} if isinstance(own, dict) else shared}
