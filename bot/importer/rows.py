"""One CSV row in, its validated events out, or one reason why the whole row is refused.

A row is all-or-nothing: if any of its events is invalid none of them is
imported, so a lead never ends up with its visits but without the deal that
the same row recorded (calibration would learn from a half-imported lead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.importer.event_template import EventTemplate
from bot.importer.mapping import Mapping, MappingError
from bot.importer.reader import undecodable
from bot.importer.values import Cells, Getter, RowError, convert
from scoring.events import Event, parse_event


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
    when: tuple[int, str, Any] | None
    repeat: tuple[int, int] | None


class RowMapper:
    """A mapping compiled against one CSV header."""

    def __init__(self, mapping: Mapping, header: Sequence[str]) -> None:
        self.mapping = mapping
        self.header = [name.strip() for name in header]
        self.nulls = mapping.null_values
        self.encoding = mapping.encoding
        index: dict[str, int] = {}
        for position, name in enumerate(self.header):
            index.setdefault(name, position)
        _check_columns(mapping, self.header, index)
        self.used = sorted(
            {index[c] for t in mapping.events for s in t.columns().values() for c in s}
        )
        self.templates = [_bind(t, index, len(self.header)) for t in mapping.events]

    def clean(self, row: list[str]) -> Cells:
        """Strip the cells the mapping reads; null values become None."""
        cells: Cells = list(row)
        nulls = self.nulls
        for i in self.used:
            value = row[i].strip()
            cells[i] = None if value in nulls else value
        return cells

    def events(self, row: list[str]) -> list[Event]:
        """The row's events, all valid; raises RowRejected for the first problem."""
        if len(row) != len(self.header):
            raise RowRejected(f"row has {len(row)} fields, the header has {len(self.header)}")
        bad = undecodable(row)
        if bad is not None:
            raise RowRejected(
                f"{bad.encode('utf-8', 'surrogateescape')!r} is not {self.encoding} text; "
                "set `encoding:` in the mapping"
            )
        cells = self.clean(row)
        out: list[Event] = []
        for bound in self.templates:
            if bound.when is not None and not _holds(bound.when, cells):
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


def _check_columns(mapping: Mapping, header: list[str], index: dict[str, int]) -> None:
    errors = []
    for template in mapping.events:
        for path, columns in template.columns().items():
            for column in sorted(columns - set(index)):
                errors.append(f"{template.where}.{path}: no column {column!r} in the CSV header")
            for column in sorted(columns & {n for n in index if header.count(n) > 1}):
                errors.append(f"{template.where}.{path}: column {column!r} appears twice")
    if errors:
        shown = ", ".join(repr(name) for name in header[:60])
        raise MappingError([*errors, f"the CSV header has: {shown}"])


def _bind(template: EventTemplate, index: dict[str, int], width: int) -> _Bound:
    getters: list[Getter] = []
    parts: dict[tuple[str, str | None], list[tuple[str, int]]] = {}
    for path, spec in template.values.items():
        section, sub, key = _place(path)
        column = spec.plain_column if path != "occurred_at" else None  # a time is parsed
        if column is not None:
            parts.setdefault((section, sub), []).append((key, index[column]))
            continue
        getter = spec.bind(index, path)
        if path == "occurred_at":
            getter = _timestamps(getter, template, constant=not spec.columns)
        if not spec.columns and not spec.uses_counter:
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
        (index[when.column], when.test, when.value) if when else None,
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


def _holds(when: tuple[int, str, Any], cells: Cells) -> bool:
    position, test, wanted = when
    value = cells[position]
    if test == "not_empty":
        return (value is not None) is wanted
    if test == "equals":
        return value == wanted
    if test == "in":
        return value in wanted
    try:
        return value is not None and float(value) >= wanted
    except ValueError:
        return False


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


def _timestamps(getter: Getter, template: EventTemplate, *, constant: bool) -> Getter:
    """Wrap the occurred_at getter to return aware datetimes (constants parsed once)."""
    fmt, zone = template.time_format, template.zone

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
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)

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
        return None if value is None else parse(value)

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
