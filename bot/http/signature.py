"""The ingest webhook's signature: HMAC-SHA256 over "v1:<timestamp>:<raw body>".

The same scheme as Slack's request signing, so senders can reuse their code,
with a 300 s window against replays.
"""

from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Leadscore-Signature`` value for a body sent at ``timestamp``."""
    base = b"v1:" + timestamp.encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """None when the request is authentic and fresh, else why it is refused."""
    if not timestamp or not signature:
        return "missing X-Leadscore-Timestamp or X-Leadscore-Signature header"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return "X-Leadscore-Timestamp must be unix seconds"
    if abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return "X-Leadscore-Timestamp is more than 300 s from now (replay or clock skew)"
    # Bytes, not str: compare_digest refuses non-ASCII text, and a header can carry any byte.
    given = signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), given):
        return "X-Leadscore-Signature does not match the body"
    return None
