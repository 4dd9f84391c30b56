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
    template: EventTemplate
    getters: list[tuple[str, str | None, str, Getter]]  # (section, subsection, key, getter)
    when: tuple[int, str, Any] | None
    repeat: tuple[int, int] | None


class RowMapper:
    """A mapping compiled against one CSV header."""

    def __init__(self, mapping: Mapping, header: Sequence[str]) -> None:
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
        self.templates = [_bind(t, index) for t in mapping.events]

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


def _bind(template: EventTemplate, index: dict[str, int]) -> _Bound:
    getters = []
    for path, spec in template.values.items():
        parts = path.split(".")
        section, sub, key = (
            (parts[0], None, parts[1])
            if len(parts) == 2
            else (parts[0], parts[1], ".".join(parts[2:]))
            if len(parts) > 2
            else ("", None, parts[0])
        )
        getter = spec.bind(index, path)
        if path == "occurred_at":
            getter = _timestamps(getter, template, constant=not spec.columns)
        getters.append((section, sub, key, getter))
    when = template.when
    repeat = template.repeat
    return _Bound(
        template,
        getters,
        (index[when.column], when.test, when.value) if when else None,
        (index[repeat.column], repeat.max) if repeat else None,
    )


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
    data: dict[str, Any] = {}
    for section, sub, key, getter in bound.getters:
        value = getter(cells, n)
        if value is None:
            continue
        if not section:
            data[key] = value
            continue
        target = data.setdefault(section, {})
        if sub is not None:
            target = target.setdefault(sub, {})
        target[key] = value
    return data


def _timestamps(getter: Getter, template: EventTemplate, *, constant: bool) -> Getter:
    """Wrap the occurred_at getter to return aware datetimes (constants parsed once)."""
    fmt, zone = template.time_format, template.zone

    def parse(value: Any) -> datetime:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        elif not isinstance(value, str):
            raise RowError("occurred_at", f"{value!r} is not a date-time")
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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:200]
