"""Pipeline entries: the score a lead had when it became an opportunity, and the outcome.

The ingest path works on ``EntryState`` working copies (plain objects, like
``storage.leads.LeadState``) and writes them back with one executemany per
shape: a backfill of outcomes creates an entry per row, and building an ORM
instance for each (with its validation and change tracking) then flushing
them one by one cost several times the rest of the deal path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from storage.bulk import BulkStatement
from storage.models import PipelineEntry

ENTRIES = PipelineEntry.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class EntryState:
    """A working copy of one ``pipeline_entries`` row (``id`` None until it is saved)."""

    lead_id: int
    entered_at: datetime
    score: float
    fit: float
    behavior: float
    rule_set_version: int | None = None
    rule_hits: dict[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    closed_at: datetime | None = None
    amount: float | None = None
    snapshot: dict[str, Any] | None = None
    """What the lead looked like at entry (``scoring.calibration.entry_snapshot``)."""
    id: int | None = None
    _stored: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)
    """The values as read, to write back only the entries that changed."""


_VALUES = [f.name for f in fields(EntryState) if not f.name.startswith("_") and f.name != "id"]
_read_values = attrgetter(*_VALUES)
_COLUMNS = [ENTRIES.c[name] for name in ("id", *_VALUES)]
_INSERT = BulkStatement(ENTRIES.insert().values({name: bindparam(name) for name in _VALUES}))
_UPDATE = BulkStatement(
    update(ENTRIES)
    .where(ENTRIES.c.id == bindparam("_id"))
    .values({name: bindparam(name) for name in _VALUES})
)


def entries_for(*, session: Session, lead_ids: Iterable[int]) -> dict[int, list[EntryState]]:
    """Each lead's entries, oldest first, as working copies for ``save_entries``."""
    ids = sorted(set(lead_ids))
    found: dict[int, list[EntryState]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(*_COLUMNS)
        .where(col(PipelineEntry.lead_id).in_(ids))
        .order_by(col(PipelineEntry.entered_at), col(PipelineEntry.id))
    )
    for row in session.execute(query):
        values = row._mapping
        entry = EntryState(**{name: values[name] for name in _VALUES}, id=values["id"])
        entry.rule_hits = dict(entry.rule_hits or {})
        entry._stored = _read_values(entry)
        found[entry.lead_id].append(entry)
    return found


def save_entries(*, session: Session, entries: Sequence[EntryState]) -> None:
    """Insert the new entries and update the changed ones, one executemany each."""
    new = [entry for entry in entries if entry.id is None]
    changed = [
        entry for entry in entries if entry.id is not None and entry._stored != _read_values(entry)
    ]
    _INSERT.execute_objects(session, new)
    _UPDATE.execute_objects(session, changed, {"_id": "id"})
    for entry in (*new, *changed):
        entry._stored = _read_values(entry)


def closed_between(*, session: Session, start: datetime, end: datetime) -> list[PipelineEntry]:
    """Entries whose deal closed in [start, end): what calibration learns from."""
    query = (
        select(PipelineEntry)
        .where(col(PipelineEntry.closed_at) >= start, col(PipelineEntry.closed_at) < end)
        .where(col(PipelineEntry.outcome).is_not(None))
        .order_by(col(PipelineEntry.closed_at))
    )
    return list(session.exec(query))
