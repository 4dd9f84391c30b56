"""What can be wrong with a mapping value: its spelling, or one row's cell."""

from __future__ import annotations


class SpecError(ValueError):
    """A malformed value in the mapping file (the message names the problem)."""


class RowError(ValueError):
    """A value that cannot be converted on one row; ``field`` is the event field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
