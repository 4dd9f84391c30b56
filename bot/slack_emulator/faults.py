"""Injected failures: the answers real Slack gives when things go wrong.

Faults are queued per method and consumed in order (``fail_next``), or held
open for a stretch of wall-clock time (``fail_for``), so retry and outbox
logic can be exercised against the exact status codes, headers and bodies
slack_sdk sees from Slack.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

ANY_METHOD = "*"
"""Method name that makes a fault answer whichever method is called next."""


@dataclass(frozen=True)
class Fault:
    """One failing answer: HTTP status, Slack ``error`` code and optional ``Retry-After``."""

    status: int
    error: str
    retry_after: int | None = None
    drop_answer: bool = False
    """Do the call (Slack stores the message), then close the connection without answering."""

    @property
    def label(self) -> str:
        """Short description stored in ``RecordedCall.fault``, e.g. ``"429 ratelimited"``."""
        if self.drop_answer:
            return "stored, answer dropped"
        return f"{self.status} {self.error}"

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(self.retry_after)}

    def body(self) -> dict[str, object]:
        return {"ok": False, "error": self.error}


DROPPED_ANSWER = Fault(200, "", drop_answer=True)
"""The call succeeds in Slack but the connection breaks before its answer arrives."""


def make_fault(*, status: int, error: str | None, retry_after: int | None) -> Fault:
    """Build a fault the way Slack would answer with ``status``; refuse ones Slack never sends."""
    if status == 429:
        return Fault(429, error or "ratelimited", 1 if retry_after is None else retry_after)
    if status == 200:
        if not error:
            raise ValueError("a status=200 fault needs error=..., e.g. 'channel_not_found'")
        return Fault(200, error, retry_after)
    if 400 <= status < 600:
        default = "internal_error" if status >= 500 else f"http_{status}"
        return Fault(status, error or default, retry_after)
    raise ValueError(f"status must be 200 (with error), 4xx or 5xx, not {status}")


@dataclass(frozen=True)
class _Window:
    method: str
    until: float
    fault: Fault


class FaultPlan:
    """Faults waiting to answer calls; shared by all server threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, deque[Fault]] = {}
        self._windows: list[_Window] = []

    def queue(self, method: str, fault: Fault, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queued.setdefault(method, deque()).extend([fault] * times)

    def hold(self, method: str, fault: Fault, seconds: float) -> None:
        with self._lock:
            self._windows.append(_Window(method, time.monotonic() + seconds, fault))

    def take(self, method: str) -> Fault | None:
        """The fault that answers this call, if any; queued faults go before time windows."""
        with self._lock:
            for name in (method, ANY_METHOD):
                queue = self._queued.get(name)
                if queue:
                    return queue.popleft()
            now = time.monotonic()
            self._windows = [w for w in self._windows if w.until > now]
            for window in self._windows:
                if window.method in (method, ANY_METHOD):
                    return window.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
            self._windows.clear()
