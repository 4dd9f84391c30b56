"""The import loop: read rows, map them to events, store them in chunks.

Each chunk of rows is one call to the shared ``Ingestor`` (one transaction),
so an import interrupted half-way keeps whole chunks, and running it again
counts the rows already in as duplicates (event ids are deterministic).
A CSV import is a backfill: it scores but does not page SDRs unless asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.heap import collector_for_bulk
from bot.importer.defaults import default_mapping
from bot.importer.mapping import Mapping
from bot.importer.reader import CsvSource, UnreadableFile
from bot.importer.rows import RowMapper, RowRejected
from bot.ingest.results import Item

if TYPE_CHECKING:  # the reading process (``bot.importer.prefetch``) never stores
    from bot.ingest.service import Ingestor

CHUNK_ROWS = 2_000
CHUNK_EVENTS = 20_000
SHOWN_BAD_ROWS = 20
SOURCE = "csv"
PREFETCH_FROM_BYTES = 4 * 1024 * 1024
"""Files from this size are read and mapped in a second process (``bot.importer.prefetch``)."""

Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) after each chunk."""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportSummary:
    """What the import did, for the command's report."""

    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected_rows: int = 0
    rows_without_events: int = 0
    alerts: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    stopped: str | None = None
    """Why the import stopped early (the file became unreadable at some line)."""


@contextmanager
def open_import(path: Path, mapping: Mapping | None) -> Iterator[tuple[CsvSource, RowMapper]]:
    """Open the file and bind the mapping to its header, before anything is stored.

    Raises ``UnreadableFile`` or ``MappingError`` (unknown columns included).
    """
    options = mapping or Mapping(events=())
    with CsvSource(path, delimiter=options.delimiter, encoding=options.encoding) as source:
        yield source, RowMapper(mapping or default_mapping(source.header), source.header)


def import_rows(
    source: CsvSource,
    mapper: RowMapper,
    *,
    ingestor: Ingestor,
    alert: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every row; bad rows are dead-lettered and reported, good rows stored."""
    with collector_for_bulk():
        return _import_rows(source, mapper, ingestor, alert, chunk_rows, progress)


def _import_rows(
    source: CsvSource,
    mapper: RowMapper,
    ingestor: Ingestor,
    alert: bool,
    chunk_rows: int,
    progress: Progress | None,
) -> ImportSummary:
    if source.size >= PREFETCH_FROM_BYTES:
        from bot.importer.prefetch import prefetched_chunks  # it imports this module

        with prefetched_chunks(source, mapper, chunk_rows) as chunks:
            return store_chunks(chunks, ingestor, alert, source.size, progress)
    return store_chunks(
        read_chunks(source, mapper, chunk_rows), ingestor, alert, source.size, progress
    )


@dataclass
class Chunk:
    """One chunk of rows read and mapped, before anything of it is stored."""

    items: list[Item] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    rows_without_events: int = 0
    rejected_rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    """The first rejected rows of the whole file (``SHOWN_BAD_ROWS`` in all), to show."""
    bytes_read: int = 0
    stopped: str | None = None


def read_chunks(source: CsvSource, mapper: RowMapper, chunk_rows: int) -> Iterator[Chunk]:
    """The file's rows as validated events and dead letters, ``chunk_rows`` rows at a time.

    The last chunk (possibly empty) says where reading stopped early, if it did.
    """
    chunk = Chunk()
    shown = 0
    try:
        for line, row in source.rows():
            chunk.rows += 1
            try:
                events = mapper.events(row, line)
            except RowRejected as exc:
                chunk.rejected_rows += 1
                if shown < SHOWN_BAD_ROWS:
                    chunk.bad_rows.append(BadRow(line, exc.reason))
                    shown += 1
                chunk.dead.append(_dead_letter(mapper, line, row, exc))
            else:
                if not events:
                    chunk.rows_without_events += 1
                position = f"line {line}"
                chunk.items += [Item(position, event) for event in events]
            if chunk.rows >= chunk_rows or len(chunk.items) >= CHUNK_EVENTS:
                chunk.bytes_read = source.bytes_read
                yield chunk
                chunk = Chunk()
    except UnreadableFile as exc:
        chunk.stopped = str(exc)
    chunk.bytes_read = source.size
    yield chunk


def store_chunks(
    chunks: Iterable[Chunk],
    ingestor: Ingestor,
    alert: bool,
    size: int,
    progress: Progress | None,
) -> ImportSummary:
    """Store each chunk in one ingest transaction, adding up what the import did."""
    summary = ImportSummary()
    for chunk in chunks:
        if chunk.items or chunk.dead:
            result = ingestor.ingest(
                chunk.items, source=SOURCE, alert=alert, dead_letters=chunk.dead
            )
            summary.accepted += result.accepted
            summary.duplicates += result.duplicates
            summary.alerts += len(result.alert_ids)
        summary.rows += chunk.rows
        summary.rows_without_events += chunk.rows_without_events
        summary.rejected_rows += chunk.rejected_rows
        summary.bad_rows += chunk.bad_rows
        summary.stopped = summary.stopped or chunk.stopped
        if progress is not None:
            progress(chunk.bytes_read, size)
    return summary


def import_csv(
    path: Path,
    *,
    ingestor: Ingestor,
    mapping: Mapping | None = None,
    alert: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> ImportSummary:
    """Open, check and import a CSV file in one call (the CLI opens first to report early)."""
    with open_import(path, mapping) as (source, mapper):
        return import_rows(
            source,
            mapper,
            ingestor=ingestor,
            alert=alert,
            chunk_rows=chunk_rows,
            progress=progress,
        )


def _dead_letter(mapper: RowMapper, line: int, row: list[str], exc: RowRejected) -> dict[str, Any]:
    cells: dict[str, Any] = dict(zip(mapper.header, row, strict=False))
    if len(row) > len(mapper.header):
        cells["(extra fields)"] = row[len(mapper.header) :]
    return {
        "event_id": exc.event_id,
        "position": f"line {line}",
        "payload": _json(cells),
        "error": exc.reason,
    }


def _json(cells: dict[str, Any]) -> str:
    text = json.dumps(cells, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes: escape them
            return json.dumps(cells)
    return text
