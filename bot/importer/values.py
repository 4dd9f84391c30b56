"""Values in a mapping: ``{Column}`` templates and ``{column|template|value, ...}`` specs.

A spec is checked when the mapping is loaded (so a typo is reported before
anything is imported) and compiled against the CSV header into a small
function of the row, so the per-row work is a few list look-ups.

A template whose placeholder cell is missing (empty or a ``null_values``
entry) yields *missing*, not a half-filled string: ``"{Lead Number}@x.example"``
on a row without a lead number gives no email, and the row is reported,
instead of inventing ``"@x.example"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from bot.importer.errors import RowError, SpecError
from bot.importer.transforms import NO_TRANSFORM, Transform, parse_transform, shift_date

REPEAT_COUNTER = "n"
"""``{n}``: the number (1, 2, ...) of an event produced by ``repeat``."""
ROW_LINE = "_row"
"""``{_row}``: the line the row starts on (the header is line 1)."""
ROW_HASH = "_hash"
"""``{_hash}``: a digest of the row's cells, the same on every run over the same row."""
ROW_VALUES = (ROW_LINE, ROW_HASH)

TYPES = ("int", "float", "str", "bool")
SPEC_KEYS = {"column", "template", "value", "lookup", "map", "else", "default", "type", "transform"}
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}

Cells = list[str | None]
Getter = Callable[[Cells, int], Any]


@dataclass(frozen=True)
class Template:
    """Literal text and column placeholders, in order (placeholders as ``(name,)``)."""

    parts: tuple[str | tuple[str], ...]

    @property
    def columns(self) -> set[str]:
        return {p[0] for p in self.parts if isinstance(p, tuple) and p[0] != REPEAT_COUNTER}

    @property
    def uses_counter(self) -> bool:
        return any(isinstance(p, tuple) and p[0] == REPEAT_COUNTER for p in self.parts)


def parse_template(text: str) -> Template:
    """Split ``"xed-{Prospect ID}-created"``; ``{{`` and ``}}`` are literal braces."""
    parts: list[str | tuple[str]] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        literal += text[position : match.start()]
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
        elif match.group(1) is None:
            raise SpecError(f"unbalanced {token!r} in {text!r} (write {token * 2} for a brace)")
        else:
            name = match.group(1).strip()
            if not name:
                raise SpecError(f"empty placeholder {{}} in {text!r}")
            if literal:
                parts.append(literal)
                literal = ""
            parts.append((name,))
    literal += text[position:]
    if literal:
        parts.append(literal)
    return Template(tuple(parts))


@dataclass(frozen=True)
class ValueSpec:
    """Where a value comes from and how it is cleaned.

    The steps run in this order: the source (``template``, ``constant`` or the
    ``lookup``'s column), ``transform``, ``map`` (with ``else`` for values not
    in it, when ``has_else``), ``default`` for a missing value, ``type``, and
    last a date ``offset`` from ``transform``.
    """

    template: Template | None = None
    constant: Any = None
    mapping: Mapping[str, Any] | None = None
    default: Any = None
    type: str | None = None
    lookup: tuple[str, str] | None = None
    """``(lookup name, its column)`` when the value comes from a joined file."""
    transform: Transform = NO_TRANSFORM
    has_else: bool = False
    otherwise: Any = None

    @property
    def columns(self) -> set[str]:
        return self.template.columns if self.template else set()

    @property
    def uses_counter(self) -> bool:
        return self.template.uses_counter if self.template else False

    @property
    def plain_column(self) -> str | None:
        """The column whose cell is the value as it is (no map, default or type), if any."""
        cleaned = (
            self.mapping is not None
            or self.default is not None
            or self.type is not None
            or self.transform != NO_TRANSFORM
        )
        if self.template is None or cleaned:
            return None
        parts = self.template.parts
        if len(parts) != 1 or not isinstance(parts[0], tuple) or parts[0][0] == REPEAT_COUNTER:
            return None
        return parts[0][0]

    def bind(
        self,
        index: Mapping[str, int],
        field: str,
        lookups: Mapping[str, Any] | None = None,
        *,
        with_offset: bool = True,
    ) -> Getter:
        """Compile against the header: ``getter(cells, n)`` returns the value or None.

        ``lookups`` are the loaded ``Lookup`` files by name; ``with_offset``
        False leaves a date offset to the caller (``occurred_at`` parses first).
        """
        render: Getter | None = None
        if self.lookup is not None:
            render = _looked_up(self, index, (lookups or {})[self.lookup[0]], field)
        elif self.template is not None:
            render = _renderer(self.template, index)
        constant, mapping, default, kind = self.constant, self.mapping, self.default, self.type
        step = self.transform.compile()
        offset = self.transform.offset if with_offset else None
        has_else, otherwise = self.has_else, self.otherwise
        plain = mapping is None and default is None and step is None and offset is None
        if render is not None and plain:
            return render if kind is None else _typed(render, kind, field)

        def getter(cells: Cells, n: int) -> Any:
            value = render(cells, n) if render is not None else constant
            if step is not None and value is not None:
                value = step(value, field)
            if mapping is not None and value is not None:
                key = _key(value)
                if key in mapping:
                    value = mapping[key]
                elif has_else:
                    value = otherwise
            if value is None:
                value = default
            if kind is not None and value is not None:
                value = convert(value, kind, field)
            if offset is not None and value is not None:
                value = shift_date(value, offset, field)
            return value

        return getter


_NO_MATCH = object()


def _looked_up(spec: ValueSpec, index: Mapping[str, int], lookup: Any, field: str) -> Getter:
    """The looked-up row's cell; no row rejects the row unless the spec has a ``default``."""
    rows, on, column = lookup.rows, index[lookup.on], lookup.columns[spec.lookup[1]]  # type: ignore[index]
    fallback = spec.default is not None

    def render(cells: Cells, n: int) -> Any:
        row = rows.get(cells[on], _NO_MATCH)
        if row is _NO_MATCH:
            if fallback:
                return None
            raise RowError(field, lookup.describe(cells[on]))
        return row[column]

    return render


def _typed(render: Getter, kind: str, field: str) -> Getter:
    """A template's text converted to ``kind`` (the common ``{column: X, type: int}``)."""

    def getter(cells: Cells, n: int) -> Any:
        value = render(cells, n)
        return None if value is None else convert(value, kind, field)

    return getter


def parse_spec(raw: Any) -> ValueSpec:
    """A string is a template; a dict names its source and cleaning; anything else a constant."""
    if isinstance(raw, str):
        return ValueSpec(template=parse_template(raw))
    if not isinstance(raw, dict):
        return ValueSpec(constant=raw)
    unknown = set(raw) - SPEC_KEYS
    if unknown:
        raise SpecError(f"unknown key {sorted(unknown)[0]!r} (use {', '.join(sorted(SPEC_KEYS))})")
    sources = [key for key in ("template", "value", "lookup") if key in raw]
    if "column" in raw and "lookup" not in raw:
        sources.append("column")
    if len(sources) != 1:
        raise SpecError("give exactly one of column, template, value or lookup (with its column)")
    template, lookup = None, None
    if "lookup" in raw:
        lookup = _lookup_source(raw)
    elif "column" in raw:
        if not isinstance(raw["column"], str) or not raw["column"].strip():
            raise SpecError("column must be a column name")
        template = Template(((raw["column"].strip(),),))
    elif "template" in raw:
        if not isinstance(raw["template"], str):
            raise SpecError("template must be a string")
        template = parse_template(raw["template"])
    mapping = raw.get("map")
    if mapping is not None and not isinstance(mapping, dict):
        raise SpecError("map must be a dictionary {from: to}")
    if "else" in raw and mapping is None:
        raise SpecError("else only goes with map (it is the value for cells not in the map)")
    kind = raw.get("type")
    if kind is not None and kind not in TYPES:
        raise SpecError(f"type must be one of {', '.join(TYPES)}, not {kind!r}")
    return ValueSpec(
        template=template,
        constant=raw.get("value"),
        mapping=map_keys(mapping) if mapping else None,
        default=raw.get("default"),
        type=kind,
        lookup=lookup,
        transform=parse_transform(raw["transform"]) if "transform" in raw else NO_TRANSFORM,
        has_else="else" in raw,
        otherwise=raw.get("else"),
    )


def _lookup_source(raw: dict[str, Any]) -> tuple[str, str]:
    name, column = raw["lookup"], raw.get("column")
    if not isinstance(name, str) or not isinstance(column, str) or not column.strip():
        raise SpecError("write {lookup: NAME, column: COLUMN} (a column of the lookup file)")
    return name, column.strip()


def spellings(value: Any) -> list[str]:
    """The cell texts a YAML value stands for.

    YAML reads unquoted ``yes``, ``no``, ``on``, ``off``, ``true`` and
    ``false`` (in any of three cases) as booleans, so ``{yes: closed_won}``
    arrives as ``{True: ...}``; it matches every way of writing it, so that
    the mapping means what it says on a file of "yes"/"no" cells.
    """
    if isinstance(value, bool):
        words = ("yes", "true", "on") if value else ("no", "false", "off")
        return [form for word in words for form in (word, word.capitalize(), word.upper())]
    return [str(value)]


def map_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """``map:`` keyed by cell text; a key written as text wins over a boolean's spelling."""
    keyed: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(key, bool):
            for form in spellings(key):
                keyed.setdefault(form, value)
    for key, value in mapping.items():
        if not isinstance(key, bool):
            keyed[str(key)] = value
    return keyed


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _renderer(template: Template, index: Mapping[str, int]) -> Callable[[Cells, int], Any]:
    parts = [
        (None, -1 if p[0] == REPEAT_COUNTER else index[p[0]]) if isinstance(p, tuple) else (p, 0)
        for p in template.parts
    ]
    if len(parts) == 1 and parts[0][0] is None and parts[0][1] >= 0:
        position = parts[0][1]
        return lambda cells, n: cells[position]
    positions = [position for literal, position in parts if literal is None]
    if positions and min(positions) >= 0:
        return _formatted(parts, positions)

    def render(cells: Cells, n: int) -> str | None:
        out = []
        for literal, position in parts:
            if literal is not None:
                out.append(literal)
                continue
            cell = str(n) if position < 0 else cells[position]
            if cell is None:
                return None
            out.append(cell)
        return "".join(out)

    return render


def _formatted(
    parts: Sequence[tuple[str | None, int]], positions: list[int]
) -> Callable[[Cells, int], Any]:
    """A template of cells only (no ``{n}``) as one ``str.format``: most ids and emails."""
    text = "".join(
        "{}" if literal is None else literal.replace("{", "{{").replace("}", "}}")
        for literal, _ in parts
    )
    if len(positions) == 1:
        (position,) = positions

        def one(cells: Cells, n: int) -> str | None:
            cell = cells[position]
            return None if cell is None else text.format(cell)

        return one
    pick = itemgetter(*positions)

    def many(cells: Cells, n: int) -> str | None:
        picked = pick(cells)
        return None if None in picked else text.format(*picked)

    return many


def convert(value: Any, kind: str, field: str) -> Any:
    """Convert to int, float, str or bool; raises RowError naming the field."""
    if kind == "str":
        return value if isinstance(value, str) else _key(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise RowError(field, f"{value!r} is not a yes/no value")
    if isinstance(value, bool):
        raise RowError(field, f"{value!r} is not a number")
    if kind == "int" and isinstance(value, int):
        return value
    if kind == "int" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(field, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise RowError(field, f"{value!r} is not a finite number")
    if kind == "float":
        return number
    if not number.is_integer():
        raise RowError(field, f"{value!r} is not a whole number")
    return int(number)


def unknown_columns(names: Collection[str], header: Collection[str]) -> list[str]:
    """The names (in order given) that are not columns of the header."""
    return [name for name in names if name not in header]
