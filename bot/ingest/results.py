"""What the ingest path is given (items) and what it answers (per-item outcomes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Item:
    """One incoming event before validation; ``position`` says where it came from.

    Not frozen: one is made per event on every path, and a frozen dataclass's
    ``__init__`` costs three times as much; nothing changes an item anyway.
    """

    position: str
    data: Any
    index: int | None = None


@dataclass(frozen=True)
class Rejection:
    index: int | None
    position: str
    id: str | None
    error: str


ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass
class IngestResult:
    outcomes: list[str] = field(default_factory=list)
    """What became of each item, in the order given: accepted, duplicate or rejected."""
    rejected: list[Rejection] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.outcomes.count(ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.outcomes.count(DUPLICATE)

    def split(self, sizes: Sequence[int]) -> list[IngestResult]:
        """This result cut into consecutive parts of ``sizes`` items (alerts stay whole).

        Several requests ingested as one batch each get the answer they would
        have had alone: an item's outcome, and rejections in item order.
        """
        parts: list[IngestResult] = []
        start = 0
        rejections = iter(self.rejected)
        for size in sizes:
            outcomes = self.outcomes[start : start + size]
            start += size
            rejected = [next(rejections) for _ in range(outcomes.count(REJECTED))]
            parts.append(IngestResult(outcomes=outcomes, rejected=rejected))
        return parts
