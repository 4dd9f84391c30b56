"""Pipeline entries: the score a lead had when it became an opportunity, and the outcome."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import PipelineEntry


def entries_for(*, session: Session, lead_ids: Iterable[int]) -> dict[int, list[PipelineEntry]]:
    """Each lead's entries, oldest first."""
    ids = sorted(set(lead_ids))
    found: dict[int, list[PipelineEntry]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(PipelineEntry)
        .where(col(PipelineEntry.lead_id).in_(ids))
        .order_by(col(PipelineEntry.entered_at), col(PipelineEntry.id))
    )
    for entry in session.exec(query):
        found[entry.lead_id].append(entry)
    return found


def closed_between(*, session: Session, start: datetime, end: datetime) -> list[PipelineEntry]:
    """Entries whose deal closed in [start, end): what calibration learns from."""
    query = (
        select(PipelineEntry)
        .where(col(PipelineEntry.closed_at) >= start, col(PipelineEntry.closed_at) < end)
        .where(col(PipelineEntry.outcome).is_not(None))
        .order_by(col(PipelineEntry.closed_at))
    )
    return list(session.exec(query))
