"""How a failed Slack call decides the alert's next attempt.

Three answers: Slack said "later" (429: exactly at ``Retry-After``, never
sooner), something broke on the way (5xx, network: exponential backoff with
jitter so a recovering Slack is not hit by every replica at once), or Slack
will never accept it (``channel_not_found``...: give up now, tell managers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

BASE_DELAY = 2.0
MAX_DELAY = 300.0
GIVE_UP_AFTER = timedelta(hours=24)
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
"""Error codes Slack answers with HTTP 200 that are worth retrying; any other is permanent."""


@dataclass(frozen=True)
class RetryAt:
    at: datetime
    error: str
    rate_limited: bool = False


@dataclass(frozen=True)
class GiveUp:
    error: str


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Capped exponential delay with "equal jitter": between half and all of 2 s × 2^(n-1)."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def retry_after_seconds(error: SlackApiError) -> float:
    raw = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    try:
        return max(1.0, float(raw))
    except (TypeError, ValueError):
        return 1.0


def describe(error: Exception) -> str:
    """A short label for ``last_error``: Slack's error code, or the exception's kind."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        status = error.response.status_code
        return str(code or f"http_{status}") if status == 200 else f"{status} {code or ''}".strip()
    return f"{type(error).__name__}: {error}"[:300]


def is_permanent(error: Exception) -> bool:
    if not isinstance(error, SlackApiError):
        return False
    status = error.response.status_code
    if status == 429 or status >= 500 or status == 408:
        return False
    code = error.response.get("error") if isinstance(error.response.data, dict) else None
    return code not in TRANSIENT_ERRORS


def next_step(
    error: Exception, *, attempt: int, now: datetime, created_at: datetime
) -> RetryAt | GiveUp:
    """What to do with an alert whose attempt number ``attempt`` failed with ``error``."""
    label = describe(error)
    if is_permanent(error):
        return GiveUp(label)
    if isinstance(error, SlackApiError) and error.response.status_code == 429:
        return RetryAt(now + timedelta(seconds=retry_after_seconds(error)), label, True)
    if now - created_at >= GIVE_UP_AFTER:
        return GiveUp(f"gave up after {GIVE_UP_AFTER.total_seconds() / 3600:.0f} h: {label}")
    return RetryAt(now + timedelta(seconds=backoff_seconds(attempt)), label)
