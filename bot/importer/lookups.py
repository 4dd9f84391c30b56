"""``lookups:``: joining a second CSV file to each row by a key column.

Exports often keep a lead's outcome or its account in another file (Olist's
closed deals, a CRM's accounts table). A lookup names that file (relative to
the mapping file), its key column and, when it is named differently, the
column of the imported file that holds the key (``on``)::

    lookups:
      deals: {file: closed_deals.csv, key: mql_id}          # on: mql_id (same name)
      accounts: {file: accounts.csv, key: id, on: Account ID, delimiter: ";"}

The file is read once, when the mapping is loaded, and held in memory as a
dictionary from key to row, so a row's look-up costs one dictionary access.
A missing file, a key column it does not have, or a key that appears twice
(which row would be meant?) refuses the mapping before anything is imported.
Cells are trimmed and the mapping's ``null_values`` mean missing, as in the
imported file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.importer.reader import CsvSource, UnreadableFile

LOOKUP_KEYS = ("file", "key", "on", "delimiter", "encoding")
LOOKUP_OPTIONAL = "optional: on, delimiter, encoding"
SHOWN_DUPLICATES = 3


@dataclass(frozen=True)
class Lookup:
    """A second file loaded by key: ``rows[key]`` is that row's cells, by ``columns``."""

    name: str
    path: Path
    key: str
    on: str
    columns: dict[str, int]
    rows: dict[str, tuple[str | None, ...]] = field(repr=False, compare=False)

    def describe(self, key: Any) -> str:
        """Why a row found nothing, for the rejected row's reason."""
        if key is None:
            return f"lookup {self.name!r}: the row has no {self.on!r} to look up"
        return f"lookup {self.name!r}: no row with {self.key} {key!r} in {self.path.name}"


def parse_lookups(
    raw: Any,
    *,
    base: Path,
    delimiter: str,
    encoding: str,
    nulls: frozenset[str],
    errors: list[str],
) -> dict[str, Lookup]:
    """Every lookup loaded; problems are appended to ``errors`` with the lookup's name."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append("lookups: a dictionary {name: {file: FILE, key: COLUMN}}")
        return {}
    loaded: dict[str, Lookup] = {}
    for name, spec in raw.items():
        where = f"lookups.{name}"
        if isinstance(spec, dict) and True in spec:  # YAML reads an unquoted ``on:`` as true
            spec = {("on" if key is True else key): value for key, value in spec.items()}
        if not isinstance(spec, dict) or set(spec) - set(LOOKUP_KEYS):
            errors.append(f"{where}: write {{file: FILE, key: COLUMN}} ({LOOKUP_OPTIONAL})")
            continue
        file, key = spec.get("file"), spec.get("key")
        if not isinstance(file, str) or not file.strip():
            errors.append(f"{where}.file: required, a CSV path relative to the mapping file")
        if not isinstance(key, str) or not key.strip():
            errors.append(f"{where}.key: required, the key column of that file")
        on = spec.get("on", key)
        if not isinstance(on, str) or not on.strip():
            errors.append(f"{where}.on: a column name of the imported file")
            continue
        options = _options(spec, delimiter, encoding, where, errors)
        if options is None or not isinstance(file, str) or not isinstance(key, str):
            continue
        lookup = _load(str(name), base / file, key.strip(), on.strip(), options, nulls, errors)
        if lookup is not None:
            loaded[str(name)] = lookup
    return loaded


def _options(
    spec: dict[str, Any], delimiter: str, encoding: str, where: str, errors: list[str]
) -> tuple[str, str] | None:
    own_delimiter = spec.get("delimiter", delimiter)
    own_encoding = str(spec.get("encoding", encoding))
    if not isinstance(own_delimiter, str) or len(own_delimiter) != 1:
        errors.append(f"{where}.delimiter: one character, not {own_delimiter!r}")
        return None
    try:
        codecs.lookup(own_encoding)
    except LookupError:
        errors.append(f"{where}.encoding: unknown encoding {own_encoding!r}")
        return None
    return own_delimiter, own_encoding


def _load(
    name: str,
    path: Path,
    key: str,
    on: str,
    options: tuple[str, str],
    nulls: frozenset[str],
    errors: list[str],
) -> Lookup | None:
    where = f"lookups.{name}"
    delimiter, encoding = options
    try:
        with CsvSource(path, delimiter=delimiter, encoding=encoding) as source:
            header = [column.strip() for column in source.header]
            if key not in header:
                shown = ", ".join(repr(column) for column in header[:40])
                errors.append(f"{where}.key: no column {key!r} in {path.name} (it has {shown})")
                return None
            position = header.index(key)
            rows: dict[str, tuple[str | None, ...]] = {}
            lines: dict[str, int] = {}
            duplicates: list[str] = []
            for line, row in source.rows():
                cells = tuple(None if (c := cell.strip()) in nulls else c for cell in row)
                value = cells[position] if position < len(cells) else None
                if value is None:
                    continue
                if value in rows:
                    duplicates.append(f"{value!r} on lines {lines[value]} and {line}")
                    continue
                rows[value] = cells + (None,) * (len(header) - len(cells))
                lines[value] = line
    except UnreadableFile as exc:
        errors.append(f"{where}.file: {exc}")
        return None
    if duplicates:
        more = len(duplicates) - SHOWN_DUPLICATES
        shown = "; ".join(duplicates[:SHOWN_DUPLICATES])
        shown += f" (and {more} more)" if more > 0 else ""
        errors.append(f"{where}.key: {key} is not unique in {path.name}: {shown}")
        return None
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        columns.setdefault(column, index)
    return Lookup(name, path, key, on, columns, rows)
