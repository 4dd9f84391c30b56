"""The emulator's memory of every request, in arrival order.

Tests assert on what our app *sent* to Slack, so every request is kept,
including the ones a fault answered, and waiting for a call blocks on a
condition instead of polling.
"""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

RESPONSE_URL = "response_url"
"""Method name recorded for POSTs to a ``response_url`` (see ``SlackEmulator.responses``)."""

UPLOAD_URL = "upload_url"
"""Method name recorded for file bytes POSTed to a ``files.getUploadURLExternal`` URL."""


@dataclass
class RecordedCall:
    """One request as the emulator saw it, and how it was answered.

    ``headers`` keys are lower-cased: urllib (used by slack_sdk) sends
    ``Content-type`` and ``User-agent``, so exact-case lookups would be fragile.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    answered_status: int
    fault: str | None
    path: str
    response: dict[str, Any] | None = field(default=None)


class CallLog:
    """Thread-safe, ordered list of recorded calls that tests can wait on."""

    def __init__(self) -> None:
        self._calls: list[RecordedCall] = []
        self._changed = threading.Condition()

    @property
    def calls(self) -> list[RecordedCall]:
        """The live list (appended to by server threads); copy it to freeze a view."""
        return self._calls

    def record(self, call: RecordedCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def to(self, method: str) -> list[RecordedCall]:
        with self._changed:
            return [call for call in self._calls if call.method == method]

    def clear(self) -> None:
        with self._changed:
            self._calls.clear()

    def wait_for(self, method: str, count: int, timeout: float) -> list[RecordedCall]:
        """Block until ``count`` calls to ``method`` arrived; the calls so far are returned."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.to(method)) >= count, timeout)
            if arrived:
                return self.to(method)
            message = self._timeout_message(method, count, timeout)
        raise AssertionError(message)

    def _timeout_message(self, method: str, count: int, timeout: float) -> str:
        seen = Counter(call.method for call in self._calls)
        got = seen.get(method, 0)
        lines = [
            f"Slack emulator: expected {count} call(s) to {method!r} within {timeout:g}s, "
            f"got {got}."
        ]
        if seen:
            summary = ", ".join(f"{name} x{n}" for name, n in seen.items())
            lines.append(f"Calls received, in first-seen order: {summary}.")
        else:
            lines.append("No calls were received at all (is the client's base_url the api_url?).")
        faulted = [f"{c.method} ({c.fault})" for c in self._calls if c.fault]
        if faulted:
            lines.append(f"Answered with injected faults: {', '.join(faulted)}.")
        close = difflib.get_close_matches(method, list(seen), n=1)
        if close and close[0] != method:
            lines.append(f"Did you mean {close[0]!r}?")
        return " ".join(lines)
