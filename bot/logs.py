"""Logging set-up: one line per event, and never an email address or token at INFO.

The redaction filter is a safety net under the rule that log calls name leads
by id: anything that looks like an email or a Slack token is masked.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_TOKEN = re.compile(r"\bx(?:ox[abpre]|app)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """Mask emails and Slack tokens in a log line."""
    return _TOKEN.sub("xox…[redacted]", _EMAIL.sub("[email]", text))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Plain single-line records on stderr with the redaction filter on every handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
