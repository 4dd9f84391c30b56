"""Database ids carried in button values and modal metadata, read defensively.

A value comes back from Slack as the client sent it, and a forged or garbled
one must get a polite "no longer there", not a traceback: ``"²".isdigit()`` is
true but ``int("²")`` fails, and a 30-digit id overflows every integer column.
"""

from __future__ import annotations

MAX_ROW_ID = 2**63 - 1


def row_id(value: object) -> int | None:
    """The positive integer id in ``value``, or None when it cannot be one of our rows."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None
