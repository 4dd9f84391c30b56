"""One CSV row in, its validated events out, or one reason why the whole row is refused.

A row is all-or-nothing: if any of its events is invalid none of them is
imported, so a lead never ends up with its visits but without the deal that
the same row recorded (calibration would learn from a half-imported lead).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.importer.conditions import Predicate, compile_condition
from bot.importer.event_template import EventTemplate
from bot.importer.lookups import Lookup
from bot.importer.mapping import Mapping, MappingError
from bot.importer.reader import undecodable
from bot.importer.values import ROW_HASH, ROW_LINE, Cells, Getter, RowError, convert
from scoring.events import Event, parse_event

_PARSED = 4_096
"""How many distinct ``occurred_at`` texts a template remembers parsed."""


class RowRejected(ValueError):
    """Why a row is refused: ``reason`` reads ``<field>: <what is wrong>``."""

    def __init__(self, reason: str, event_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id


@dataclass(frozen=True)
class _Bound:
    """A template compiled for one header: where each value of the event comes from.

    A row's values are its cells, then what ``getters`` compute from them (in
    the template's order, so the first bad value is the one reported);
    ``parts`` say which of those values fill which object of the event, each
    object's keys in template order.
    """

    template: EventTemplate
    getters: list[Getter]
    parts: list[tuple[str, str | None, list[tuple[str, int]]]]  # (section, subsection, fields)
    when: Predicate | None
    repeat: tuple[int, int] | None


class RowMapper:
    """A mapping compiled against one CSV header.

    A row's cells are followed by two values of the row itself, ``{_row}``
    (its line) and ``{_hash}`` (computed only when a template uses it), so
    templates read them as they read any column.
    """

    def __init__(self, mapping: Mapping, header: Sequence[str]) -> None:
        self.mapping = mapping
        self.header = [name.strip() for name in header]
        self.nulls = mapping.null_values
        self.encoding = mapping.encoding
        width = len(self.header)
        index: dict[str, int] = {ROW_LINE: width, ROW_HASH: width + 1}
        for position, name in enumerate(self.header):
            index.setdefault(name, position)
        _check_columns(mapping, self.header, index)
        read = {c for t in mapping.events for s in t.columns(mapping.lookups).values() for c in s}
        self.used = [
            (i, mapping.null_values | mapping.column_nulls.get(self.header[i], frozenset()))
            for i in sorted({index[c] for c in read if index[c] < width})
        ]
        self.hashed = ROW_HASH in read
        self.templates = [_bind(t, index, width + 2, mapping.lookups) for t in mapping.events]

    def clean(self, row: list[str], line: int = 0) -> Cells:
        """Strip the cells the mapping reads (null values become None), then add the row's own."""
        cells: Cells = list(row)
        for i, nulls in self.used:
            value = row[i].strip()
            cells[i] = None if value in nulls else value
        cells.append(str(line))
        cells.append(row_hash(row) if self.hashed else None)
        return cells

    def events(self, row: list[str], line: int = 0) -> list[Event]:
        """The row's events, all valid; raises RowRejected for the first problem.

        ``line`` is where the row starts in the file, the value of ``{_row}``.
        """
        if len(row) != len(self.header):
            raise RowRejected(f"row has {len(row)} fields, the header has {len(self.header)}")
        bad = undecodable(row)
        if bad is not None:
            raise RowRejected(
                f"{bad.encode('utf-8', 'surrogateescape')!r} is not {self.encoding} text; "
                "set `encoding:` in the mapping"
            )
        cells = self.clean(row, line)
        out: list[Event] = []
        for bound in self.templates:
            if bound.when is not None and not bound.when(cells):
                continue
            try:
                for n in range(1, _count(bound, cells) + 1):
                    data = _build(bound, cells, n)
                    try:
                        out.append(parse_event(data))
                    except ValueError as exc:
                        raise RowRejected(str(exc), _text(data.get("id"))) from None
            except RowError as exc:
                raise RowRejected(str(exc)) from None
        return out


def row_hash(row: list[str]) -> str:
    """16 hex digits of BLAKE2b over the row's cells as read: the same row, the same hash."""
    text = "\x1f".join(row).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def _check_columns(mapping: Mapping, header: list[str], index: dict[str, int]) -> None:
    errors = []
    for name in mapping.column_nulls:
        if name not in index or name in (ROW_LINE, ROW_HASH):
            errors.append(f"columns.{name}: no column {name!r} in the CSV header")
    for template in mapping.events:
        for path, columns in template.columns(mapping.lookups).items():
            for column in sorted(columns - set(index)):
                errors.append(f"{template.where}.{path}: no column {column!r} in the CSV header")
            for column in sorted(columns & {n for n in index if header.count(n) > 1}):
                errors.append(f"{template.where}.{path}: column {column!r} appears twice")
    if errors:
        shown = ", ".join(repr(name) for name in header[:60])
        raise MappingError([*errors, f"the CSV header has: {shown}"])


def _bind(
    template: EventTemplate, index: dict[str, int], width: int, lookups: dict[str, Lookup]
) -> _Bound:
    getters: list[Getter] = []
    parts: dict[tuple[str, str | None], list[tuple[str, int]]] = {}
    for path, spec in template.values.items():
        section, sub, key = _place(path)
        column = spec.plain_column if path != "occurred_at" else None  # a time is parsed
        if column is not None:
            parts.setdefault((section, sub), []).append((key, index[column]))
            continue
        timed = path == "occurred_at"
        getter = spec.bind(index, path, lookups, with_offset=not timed)
        constant = not spec.columns and not spec.uses_counter and spec.lookup is None
        if timed:
            getter = _timestamps(getter, template, spec.transform.offset, constant=constant)
        if constant:
            getter = _once(getter)
        getters.append(getter)
        parts.setdefault((section, sub), []).append((key, width + len(getters) - 1))
    sections = list(dict.fromkeys(section for section, _ in parts))
    when, repeat = template.when, template.repeat
    return _Bound(
        template,
        getters,
        [  # a section's own fields before its subsection, which goes into them
            (section, sub, fields)
            for (section, sub), fields in sorted(
                parts.items(), key=lambda item: (sections.index(item[0][0]), item[0][1] is not None)
            )
        ],
        compile_condition(when, index, lookups) if when else None,
        (index[repeat.column], repeat.max) if repeat else None,
    )


def _place(path: str) -> tuple[str, str | None, str]:
    """``lead.attributes.x`` is (section, subsection, key); ``id`` is ("", None, "id")."""
    parts = path.split(".")
    if len(parts) == 1:
        return "", None, parts[0]
    if len(parts) == 2:
        return parts[0], None, parts[1]
    return parts[0], parts[1], ".".join(parts[2:])


def _once(getter: Getter) -> Getter:
    """A value that reads no cell, computed once; a bad one is left to each row to report."""
    try:
        value = getter([], 1)
    except RowError:
        return getter
    return lambda cells, n: value


def _count(bound: _Bound, cells: Cells) -> int:
    if bound.repeat is None:
        return 1
    position, limit = bound.repeat
    value = cells[position]
    if value is None:
        return 0
    number = convert(value, "float", f"repeat {bound.template.repeat.column}")  # type: ignore[union-attr]
    return max(0, min(limit, int(number)))


def _build(bound: _Bound, cells: Cells, n: int) -> dict[str, Any]:
    values = cells + [getter(cells, n) for getter in bound.getters]
    data: dict[str, Any] = {}
    for section, sub, fields in bound.parts:
        part = {}
        for key, i in fields:
            value = values[i]
            if value is not None:
                part[key] = value
        if not part:
            continue
        if not section:
            data.update(part)
        elif sub is None:
            data[section] = part
        else:
            data.setdefault(section, {})[sub] = part
    return data


def _timestamps(
    getter: Getter, template: EventTemplate, offset: timedelta | None, *, constant: bool
) -> Getter:
    """Wrap the occurred_at getter to return aware datetimes (constants parsed once).

    Exports repeat the same few dates on many rows, so parsed texts are
    remembered (up to ``_PARSED`` of them): strptime is slow.
    """
    fmt, zone = template.time_format, template.zone
    parsed: dict[str, datetime] = {}

    def remembered(value: Any) -> datetime:
        if not isinstance(value, str):
            return parse(value)
        moment = parsed.get(value)
        if moment is None:
            moment = parse(value)
            if len(parsed) >= _PARSED:
                parsed.clear()
            parsed[value] = moment
        return moment

    def parse(value: Any) -> datetime:
        if not isinstance(value, str):
            moment = _moment(value)
        elif fmt is not None:
            try:
                moment = datetime.strptime(value, fmt)
            except ValueError:
                raise RowError("occurred_at", f"{value!r} does not match {fmt!r}") from None
        else:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise RowError("occurred_at", f"{value!r} is not ISO 8601") from None
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        return moment if offset is None else moment + offset

    if constant:
        fixed = getter([], 1)
        if fixed is not None:
            try:
                moment = parse(fixed)
            except RowError as exc:
                raise MappingError([f"{template.where}.occurred_at: {exc.reason}"]) from None
            return lambda cells, n: moment

    def timestamp(cells: Cells, n: int) -> datetime | None:
        value = getter(cells, n)
        return None if value is None else remembered(value)

    return timestamp


def _moment(value: Any) -> datetime:
    """A date or date-time that is not text (a constant in the mapping file)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    raise RowError("occurred_at", f"{value!r} is not a date-time")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:200]
