"""Logging set-up: one logfmt line per event, and never an email address or token at INFO.

Log calls say what happened in the message and put ids, counts and timings in
``extra`` (``log.info("ingest batch", extra={"source": "webhook", "accepted": 3})``),
which the formatter renders as ``key=value`` pairs a log search can filter on.

Leads are named by id, never by email. The redaction filter and the formatter
are a safety net under that rule: anything that looks like an email (also
URL-encoded or quoted), a Slack token, a Slack response URL or a request body's
``token`` field is masked before it reaches a handler's output.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

_AT = r"(?:@|%40|%2540|\\{1,2}u0040)"
_EMAIL = re.compile(
    rf"(?:[\w.+-]+|\\?\"[^\"\n]{{1,64}}\\?\"){_AT}[\w-]+(?:(?:\.|%2E)[\w-]+)+", re.IGNORECASE
)
"""Plain, URL-encoded (``%40``, also twice), JSON-escaped and quoted-local-part emails."""
_TOKEN = re.compile(r"\bx(?:ox[abpre]|app)[.-][A-Za-z0-9.-]+")
_RESPONSE_URL = re.compile(r"(hooks\.slack\.com)(?:/|%2F)[^\s\"'&|>]*", re.IGNORECASE)
"""Slack response URLs are credentials: anyone holding one can answer in the channel."""
_BODY_TOKEN = re.compile(r"((?:\btoken=)|(?:\\?\"token\\?\"\s*:\s*\\?\"))[^&\s\"\\]+")
"""The ``token`` field of a form or JSON request body (Slack's verification token)."""
_BARE = re.compile(r"^[^\s=\"\\]+$")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """Mask emails, Slack tokens, response URLs and body tokens in a log line."""
    text = _RESPONSE_URL.sub(r"\1/[redacted]", text)
    text = _BODY_TOKEN.sub(r"\1[redacted]", text)
    return _TOKEN.sub("xox…[redacted]", _EMAIL.sub("[email]", text))


class RedactingFilter(logging.Filter):
    """Masks emails and tokens in the message of INFO-and-above records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        return True


def logfmt_value(value: Any) -> str:
    """A value as logfmt writes it: bare when it can be, JSON-quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(round(value, 3))
    text = value if isinstance(value, str) else str(value)
    if _BARE.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """``ts=… level=info logger=… msg="…" key=value…``, one line even for tracebacks.

    ``masking=False`` shows lines as the code wrote them (tests use it to prove
    the code itself never logs an email, without the safety net).
    """

    def __init__(self, *, masking: bool = True) -> None:
        super().__init__()
        self.masking = masking

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        pairs: list[tuple[str, Any]] = [
            ("ts", stamp.replace("+00:00", "Z")),
            ("level", record.levelname.lower()),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        pairs += [(k, v) for k, v in record.__dict__.items() if k not in _STANDARD]
        if record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        line = " ".join(f"{key}={logfmt_value(value)}" for key, value in pairs)
        return redact(line) if self.masking and record.levelno >= logging.INFO else line


_INSTALLED = "_leadscore_handler"
QUIET = ("apscheduler",)
"""Libraries whose INFO lines repeat on every run of a minutely job; our runs log their own."""


def configure_logging(level: int = logging.INFO, *, stream: IO[str] | None = None) -> None:
    """Logfmt records on stderr with the redaction filter, replacing our earlier handler.

    Handlers that others installed (a test runner's, say) are left alone.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(RedactingFilter())
    setattr(handler, _INSTALLED, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _INSTALLED, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
