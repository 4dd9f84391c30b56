"""The import loop: read rows, map them to events, store them in chunks.

Each chunk of rows is one call to the shared ``Ingestor`` (one transaction),
so an import interrupted half-way keeps whole chunks, and running it again
counts the rows already in as duplicates (event ids are deterministic).
A CSV import is a backfill: it scores but does not page SDRs unless asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.heap import collector_for_bulk
from bot.importer.defaults import default_mapping
from bot.importer.mapping import Mapping
from bot.importer.reader import CsvSource, UnreadableFile
from bot.importer.rows import RowMapper, RowRejected
from bot.ingest.results import Item
from bot.ingest.service import Ingestor

CHUNK_ROWS = 2_000
CHUNK_EVENTS = 20_000
SHOWN_BAD_ROWS = 20
SOURCE = "csv"

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
    summary = ImportSummary()
    items: list[Item] = []
    dead: list[dict[str, Any]] = []
    rows_in_chunk = 0
    try:
        for line, row in source.rows():
            summary.rows += 1
            rows_in_chunk += 1
            try:
                events = mapper.events(row)
            except RowRejected as exc:
                _reject(summary, dead, mapper, line, row, exc)
            else:
                if not events:
                    summary.rows_without_events += 1
                position = f"line {line}"
                for event in events:
                    items.append(Item(position, event))
            if rows_in_chunk >= chunk_rows or len(items) >= CHUNK_EVENTS:
                _flush(ingestor, items, dead, summary, alert)
                items, dead, rows_in_chunk = [], [], 0
                if progress is not None:
                    progress(source.bytes_read, source.size)
    except UnreadableFile as exc:
        summary.stopped = str(exc)
    _flush(ingestor, items, dead, summary, alert)
    if progress is not None:
        progress(source.size, source.size)
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


def _reject(
    summary: ImportSummary,
    dead: list[dict[str, Any]],
    mapper: RowMapper,
    line: int,
    row: list[str],
    exc: RowRejected,
) -> None:
    summary.rejected_rows += 1
    if len(summary.bad_rows) < SHOWN_BAD_ROWS:
        summary.bad_rows.append(BadRow(line, exc.reason))
    cells: dict[str, Any] = dict(zip(mapper.header, row, strict=False))
    if len(row) > len(mapper.header):
        cells["(extra fields)"] = row[len(mapper.header) :]
    dead.append(
        {
            "event_id": exc.event_id,
            "position": f"line {line}",
            "payload": _json(cells),
            "error": exc.reason,
        }
    )


def _flush(
    ingestor: Ingestor,
    items: list[Item],
    dead: list[dict[str, Any]],
    summary: ImportSummary,
    alert: bool,
) -> None:
    if not items and not dead:
        return
    result = ingestor.ingest(items, source=SOURCE, alert=alert, dead_letters=dead)
    summary.accepted += result.accepted
    summary.duplicates += result.duplicates
    summary.alerts += len(result.alert_ids)


def _json(cells: dict[str, Any]) -> str:
    text = json.dumps(cells, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes: escape them
            return json.dumps(cells)
    return text
