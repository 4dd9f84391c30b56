"""``when:`` conditions of an event template, checked at load time and compiled per header.

A condition is a test of one cell, ``{column: NAME, TEST: VALUE}`` (several
tests in one dictionary must all hold), a test of a looked-up row's cell
(``{lookup: NAME, column: COL, TEST: VALUE}``), whether the row is in a
lookup file at all (``{lookup: NAME, found: false}``), or a combination:
``{all: [...]}``, ``{any: [...]}``, ``{not: CONDITION}``; a list is ``all``.

Tests compare the cell's text (after trimming and ``null_values``);
``at_least``, ``at_most`` and ``between`` (inclusive) compare numbers, and a
cell that is not a number does not match them. A missing cell is not equal
to anything and in no list, so ``not_in`` holds for it. Unquoted yes/no/true/
false/on/off, which YAML reads as booleans, match any of those spellings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.importer.lookups import Lookup
from bot.importer.values import Cells, spellings

TESTS = ("not_empty", "equals", "in", "not_in", "at_least", "at_most", "between")
FORMS = (
    "not_empty: true",
    "equals: X",
    "in: [X, Y]",
    "not_in: [X, Y]",
    "at_least: N",
    "at_most: N",
    "between: [LOW, HIGH]",
)
GROUPS = ("all", "any", "not")
Predicate = Callable[[Cells], bool]


@dataclass(frozen=True)
class Leaf:
    """Tests of one cell of the row (``lookup`` None) or of the looked-up row."""

    column: str | None
    lookup: str | None
    tests: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Group:
    kind: str  # one of GROUPS
    items: tuple[Condition, ...]


Condition = Leaf | Group


def parse_condition(raw: Any, where: str, errors: list[str]) -> Condition | None:
    """The condition, or None after appending its problems (each with its place) to ``errors``."""
    if isinstance(raw, list):
        raw = {"all": raw}
    if not isinstance(raw, dict):
        errors.append(f"{where}: write {{column: NAME, {' | '.join(FORMS)}}}, or all/any/not")
        return None
    groups = [key for key in GROUPS if key in raw]
    if groups:
        return _group(raw, groups, where, errors)
    return _leaf(raw, where, errors)


def _group(raw: dict[str, Any], groups: list[str], where: str, errors: list[str]) -> Group | None:
    kind = groups[0]
    if len(raw) != 1:
        errors.append(f"{where}: {kind} stands alone (nest other tests inside it)")
        return None
    items = [raw[kind]] if kind == "not" else raw[kind]
    if not isinstance(items, list) or not items:
        errors.append(f"{where}.{kind}: a list of at least one condition")
        return None
    start = len(errors)
    parsed = [parse_condition(item, f"{where}.{kind}[{i}]", errors) for i, item in enumerate(items)]
    if len(errors) > start:
        return None
    return Group(kind, tuple(p for p in parsed if p is not None))


def _leaf(raw: dict[str, Any], where: str, errors: list[str]) -> Leaf | None:
    column, lookup = raw.get("column"), raw.get("lookup")
    tests = [test for test in TESTS if test in raw]
    if lookup is not None and "found" in raw:
        tests.append("found")
    extra = set(raw) - {"column", "lookup", *tests}
    if (
        not isinstance(lookup, str | None)
        or (column is None and "found" not in tests)
        or (column is not None and not isinstance(column, str))
        or (column is not None and "found" in tests)
        or not tests
        or extra
    ):
        errors.append(
            f"{where}: write {{column: NAME, {' | '.join(FORMS)}}}, "
            "{lookup: NAME, found: true|false} or {lookup: NAME, column: COL, TEST: VALUE}"
        )
        return None
    start = len(errors)
    checked = tuple((test, _value(test, raw[test], f"{where}.{test}", errors)) for test in tests)
    if len(errors) > start:
        return None
    return Leaf(column.strip() if isinstance(column, str) else None, lookup, checked)


def _value(test: str, value: Any, where: str, errors: list[str]) -> Any:
    if test in ("not_empty", "found"):
        if not isinstance(value, bool):
            errors.append(f"{where}: true or false")
        return value
    if test in ("at_least", "at_most"):
        if not _is_number(value):
            errors.append(f"{where}: must be a number")
        return float(value) if _is_number(value) else None
    if test == "between":
        if not isinstance(value, list) or len(value) != 2 or not all(map(_is_number, value)):
            errors.append(f"{where}: write [LOW, HIGH] (two numbers)")
            return None
        return float(value[0]), float(value[1])
    listed = value if test in ("in", "not_in") else [value]
    if test in ("in", "not_in") and not isinstance(value, list):
        errors.append(f"{where}: must be a list")
        return None
    if any(isinstance(item, dict | list) or item is None for item in listed):
        errors.append(f"{where}: compare with text or numbers")
        return None
    return frozenset(form for item in listed for form in spellings(item))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def columns_read(condition: Condition, lookups: Mapping[str, Lookup]) -> set[str]:
    """The imported file's columns the condition reads (a lookup's ``on`` column included)."""
    if isinstance(condition, Group):
        return set().union(*(columns_read(item, lookups) for item in condition.items))
    if condition.lookup is not None:
        lookup = lookups.get(condition.lookup)
        return {lookup.on} if lookup is not None else set()
    return {condition.column} if condition.column is not None else set()


def lookup_references(condition: Condition) -> set[tuple[str, str | None]]:
    """``(lookup, column)`` pairs the condition reads, to check against the lookups loaded."""
    if isinstance(condition, Group):
        return set().union(*(lookup_references(item) for item in condition.items))
    return {(condition.lookup, condition.column)} if condition.lookup is not None else set()


def compile_condition(
    condition: Condition, index: Mapping[str, int], lookups: Mapping[str, Lookup]
) -> Predicate:
    """A function of the row's cells; columns and lookups were checked before."""
    if isinstance(condition, Group):
        parts = [compile_condition(item, index, lookups) for item in condition.items]
        if condition.kind == "not":
            only = parts[0]
            return lambda cells: not only(cells)
        if condition.kind == "all":
            return lambda cells: all(part(cells) for part in parts)
        return lambda cells: any(part(cells) for part in parts)
    read = _reader(condition, index, lookups)
    tests = [_test(test, wanted) for test, wanted in condition.tests]
    if len(tests) == 1:
        test = tests[0]
        return lambda cells: test(read(cells))
    return lambda cells: all(test(value) for value in [read(cells)] for test in tests)


def _reader(
    leaf: Leaf, index: Mapping[str, int], lookups: Mapping[str, Lookup]
) -> Callable[[Cells], Any]:
    if leaf.lookup is None:
        assert leaf.column is not None
        position = index[leaf.column]
        return lambda cells: cells[position]
    lookup = lookups[leaf.lookup]
    rows, on = lookup.rows, index[lookup.on]
    if leaf.column is None:  # ``found``: the value tested is whether the row is there
        return lambda cells: cells[on] in rows
    column = lookup.columns[leaf.column]

    def looked_up(cells: Cells) -> Any:
        row = rows.get(cells[on])  # type: ignore[arg-type]
        return None if row is None else row[column]

    return looked_up


def _test(test: str, wanted: Any) -> Callable[[Any], bool]:
    if test == "found":
        return lambda value: value is wanted
    if test == "not_empty":
        return lambda value: (value is not None) is wanted
    if test in ("equals", "in"):
        return lambda value: value in wanted
    if test == "not_in":
        return lambda value: value not in wanted
    low, high = {"at_least": (wanted, None), "at_most": (None, wanted)}.get(test, wanted)
    return lambda value: _within(value, low, high)


def _within(value: Any, low: float | None, high: float | None) -> bool:
    if value is None:
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return (low is None or number >= low) and (high is None or number <= high)
