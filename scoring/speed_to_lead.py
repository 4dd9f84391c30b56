"""Speed to lead: does a fast claim convert better, band by band?

A manager reading the digest must tell a scoring problem (hot leads that do
not convert however fast they are called) from a follow-up one (hot leads
that convert when claimed in minutes and not when claimed the next day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

BUCKETS = ("<5 min", "5–30 min", "30–120 min", "later", "never")
_LIMITS = (5.0, 30.0, 120.0)


@dataclass(frozen=True, slots=True)
class ClaimedDeal:
    """A closed deal whose lead was alerted: its band at entry, minutes to claim, outcome."""

    band: str
    minutes: float | None
    won: bool


@dataclass(frozen=True, slots=True)
class Cell:
    closed: int
    won: int

    @property
    def conversion(self) -> float | None:
        return self.won / self.closed if self.closed else None


@dataclass(frozen=True)
class SpeedToLead:
    """Conversion by claim-time bucket for each band, and each rep's median minutes to claim."""

    cells: dict[str, dict[str, Cell]]
    reps: list[tuple[str, float, int]]

    @property
    def deals(self) -> int:
        return sum(cell.closed for row in self.cells.values() for cell in row.values())


def bucket(minutes: float | None) -> str:
    if minutes is None:
        return BUCKETS[-1]
    for limit, name in zip(_LIMITS, BUCKETS, strict=False):
        if minutes < limit:
            return name
    return BUCKETS[3]


def speed_to_lead(
    deals: Sequence[ClaimedDeal], claims: Sequence[tuple[str, float]], bands: Sequence[str]
) -> SpeedToLead:
    """``claims`` are ``(rep, minutes)`` of every claim in the window, deal or not."""
    counts = {band: {name: [0, 0] for name in BUCKETS} for band in bands}
    for deal in deals:
        cell = counts.setdefault(deal.band, {name: [0, 0] for name in BUCKETS})[
            bucket(deal.minutes)
        ]
        cell[0] += 1
        cell[1] += int(deal.won)
    by_rep: dict[str, list[float]] = {}
    for rep, minutes in claims:
        by_rep.setdefault(rep, []).append(minutes)
    reps = sorted(
        ((rep, median(times), len(times)) for rep, times in by_rep.items()),
        key=lambda row: (row[1], row[0]),
    )
    cells = {
        band: {name: Cell(closed, won) for name, (closed, won) in row.items()}
        for band, row in counts.items()
    }
    return SpeedToLead(cells, reps)
