"""When a Segment message happened, corrected for the sender's clock as the Spec says.

A device's clock may be wrong by minutes or days. The Spec's libraries stamp
each message with ``timestamp`` (the device's time of the call) and the
request with ``sentAt`` (the device's time of sending), and the receiver
computes ``timestamp = receivedAt - (sentAt - originalTimestamp)``: the
message's age on the device's clock, taken back from the receiver's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def parse_stamp(value: Any, *, field: str) -> datetime:
    """An ISO 8601 string as an aware UTC datetime (the Spec's stamps are UTC when unmarked)."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: must be an ISO 8601 date string")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{field}: {value[:40]!r} is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def occurred_at(
    message: dict[str, Any],
    *,
    received_at: datetime,
    sent_at: datetime | None = None,
    corrected: bool = False,
) -> datetime:
    """The message's moment on our clock.

    ``sent_at`` is the request's ``sentAt`` (a batch carries one for all its
    messages; a message's own wins). ``corrected`` is for senders that did the
    correction already (Segment's Webhooks destination delivers the computed
    ``timestamp``); a message carrying both ``timestamp`` and
    ``originalTimestamp`` was corrected upstream too (a pipeline forwarding
    what it received). Without ``sentAt`` the stamp is taken as sent (as
    Segment does for the HTTP API when importing history); without any
    stamp the message happened when it arrived.
    """
    stamp = message.get("timestamp")
    original = message.get("originalTimestamp")
    if corrected or (stamp is not None and original is not None):
        if stamp is None:
            return received_at
        return parse_stamp(stamp, field="timestamp")
    device = stamp if stamp is not None else original
    if device is None:
        return received_at
    when = parse_stamp(device, field="timestamp" if stamp is not None else "originalTimestamp")
    own = message.get("sentAt")
    sent = parse_stamp(own, field="sentAt") if own is not None else sent_at
    if sent is None:
        return when
    skew: timedelta = sent - when
    return received_at - skew
