"""The digest's speed-to-lead section: conversion by claim time per band, median claim per rep.

A block group of its own, appended after the calibration blocks, so the
calibration views can change without touching it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.services import Services
from bot.views.mrkdwn import clip
from bot.views.routing import mention
from scoring.speed_to_lead import BUCKETS, Cell, ClaimedDeal, SpeedToLead, speed_to_lead
from storage.engine import read_scope
from storage.speed_to_lead import alerted_deals, claim_times

MAX_REPS = 15
BLOCKS = 3
"""How many blocks the section takes (the calibration part is packed into the rest)."""


def load_speed_to_lead(services: Services, *, days: int, now: datetime) -> SpeedToLead:
    start = now - timedelta(days=days)
    with read_scope(services.engine) as session:
        rule_set = services.rulebook.active(session).rule_set
        deals = [
            ClaimedDeal(
                rule_set.band(score),
                (claimed - sent).total_seconds() / 60 if claimed and sent else None,
                won,
            )
            for score, won, sent, claimed in alerted_deals(session=session, start=start, end=now)
        ]
        claims = claim_times(session=session, start=start, end=now)
    return speed_to_lead(deals, claims, bands=("hot", "warm", "cold"))


def speed_to_lead_blocks(speed: SpeedToLead, *, days: int) -> list[dict[str, Any]]:
    """Divider, the conversion table, and the reps' medians: ``BLOCKS`` blocks."""
    title = f"*Speed to lead* (deals closed in the last {days} days whose lead was alerted)"
    if speed.deals == 0:
        table = "_No closed deal of an alerted lead yet._"
    else:
        rows = [f"{'band':<6}" + "".join(f"{name:>13}" for name in BUCKETS)]
        for band, cells in speed.cells.items():
            if any(cell.closed for cell in cells.values()):
                rows.append(f"{band:<6}" + "".join(f"{_cell(cells[n]):>13}" for n in BUCKETS))
        table = "```\n" + "\n".join(rows) + "\n```\nwon/closed and conversion, by minutes to claim"
    reps = [
        f"{mention(rep)} {minutes:.0f} min ({count} claims)"
        for rep, minutes, count in speed.reps[:MAX_REPS]
    ]
    rep_text = "*Median time to claim*\n" + (" · ".join(reps) or "_no claims yet_")
    return [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"{title}\n{table}", 3000)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(rep_text, 3000)}},
    ]


def _cell(cell: Cell) -> str:
    if not cell.closed:
        return "–"
    return f"{cell.won}/{cell.closed} {cell.won / cell.closed:.0%}"
