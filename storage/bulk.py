"""The ingest path's hot statements, run on the DBAPI cursor.

Going through SQLAlchemy cost more than the database work itself: per row,
``execute(statement, rows)`` builds a parameter dictionary through generic
machinery (about half of a 500-event batch, profiled), and per statement the
execution context and result wrapping cost about 10 times a bare cursor call
(about 100 us against 8 us for a one-row SELECT on SQLite), which is most of a
single-event request. Here a statement is compiled once per dialect (and per
``IN`` list size, rounded up to a power of two), each column's bind or result
processor (UTC datetimes, JSON, booleans) is looked up once, and rows go to
the cursor as plain tuples, inside the session's transaction. The SQL, the
stored values and the values read back are exactly SQLAlchemy's; driver errors
are re-raised as SQLAlchemy's ``DBAPIError`` subclasses, as ``execute`` would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable, Select
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    types: tuple[Any, ...]
    positional: bool

    defaults: Mapping[str, Any]

    def params(self, values: Mapping[str, Any]) -> Any:
        given = {**self.defaults, **values} if self.defaults else values
        pairs = zip(self.names, self.binds, strict=True)
        processed = [given[n] if bind is None else bind(given[n]) for n, bind in pairs]
        if self.positional:
            return tuple(processed)
        return dict(zip(self.names, processed, strict=True))

    def rows(self, raw: list[Any], description: Sequence[Any], dialect: Dialect) -> list[Any]:
        """Apply the result processors SQLAlchemy would pick for this cursor description."""
        results = self._results
        if results is None:
            results = [
                (i, process)
                for i, (kind, column) in enumerate(zip(self.types, description, strict=True))
                if (process := kind.result_processor(dialect, column[1])) is not None
            ]
            object.__setattr__(self, "_results", results)
        if not results:
            return raw
        out = []
        for values in raw:
            row = list(values)
            for i, process in results:
                row[i] = process(row[i])
            out.append(row)
        return out

    _results: list[tuple[int, Callable[[Any], Any]]] | None = None


def _compile(statement: Any, dialect: Dialect, **kwargs: Any) -> _Compiled:
    compiled = statement.compile(dialect=dialect, **kwargs)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup) if positional else tuple(by_name)
    binds = tuple(
        by_name[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    defaults = {
        name: bind.effective_value
        for name, bind in by_name.items()
        if bind.value is not None or bind.callable is not None
    }
    types = tuple(
        column.type.dialect_impl(dialect)
        for column in (statement.selected_columns if getattr(statement, "is_select", False) else ())
    )
    return _Compiled(compiled.string, names, binds, types, positional, defaults)


class _Cached:
    def __init__(self) -> None:
        self._compiled: dict[Any, _Compiled] = {}
        self._lock = threading.Lock()

    def _cached(self, key: Any, make: Callable[[], _Compiled]) -> _Compiled:
        found = self._compiled.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._compiled[key] = found
        return found


def _run(session: Session, compiled: _Compiled, params: Any, *, many: bool = False) -> list[Any]:
    connection = session.connection()
    dialect = connection.dialect
    cursor = connection.connection.cursor()
    try:
        if many:
            cursor.executemany(compiled.sql, params)
            return []
        cursor.execute(compiled.sql, params)
        if not cursor.description:
            return []
        return compiled.rows(list(cursor.fetchall()), cursor.description, dialect)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            compiled.sql, params, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc
    finally:
        cursor.close()


class BulkStatement(_Cached):
    """One Core INSERT or UPDATE whose bind parameters are named after the row keys."""

    def __init__(self, statement: Executable) -> None:
        super().__init__()
        self.statement = statement

    def execute(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row, in one ``executemany``."""
        if not rows:
            return
        dialect = session.connection().dialect
        compiled = self._cached(
            dialect.name, lambda: _compile(self.statement, dialect, for_executemany=True)
        )
        _run(session, compiled, [compiled.params(row) for row in rows], many=True)


class Query(_Cached):
    """A SELECT with fixed bind parameters (none, or named ones given to ``fetch``)."""

    def __init__(self, statement: Select[Any]) -> None:
        super().__init__()
        self.statement = statement

    def fetch(self, session: Session, **params: Any) -> list[Any]:
        dialect = session.connection().dialect
        compiled = self._cached(dialect.name, lambda: _compile(self.statement, dialect))
        return _run(session, compiled, compiled.params(params))


class BulkQuery(_Cached):
    """A SELECT filtered by ``IN (values)``; ``build(params)`` makes it for given bind params."""

    MAX_VALUES = 4_096

    def __init__(self, build: Callable[[list[BindParameter[Any]]], Select[Any]]) -> None:
        super().__init__()
        self.build = build

    def fetch(self, session: Session, values: Sequence[Any]) -> list[Any]:
        """Every matching row, as tuples of Python values (processed as SQLAlchemy would)."""
        dialect = session.connection().dialect
        rows: list[Any] = []
        for start in range(0, len(values), self.MAX_VALUES):
            chunk = list(values[start : start + self.MAX_VALUES])
            size = 1 << max(0, len(chunk) - 1).bit_length()
            chunk += [chunk[-1]] * (size - len(chunk))  # repeats do not change an IN list
            compiled = self._cached(
                (dialect.name, size),
                lambda size=size: _compile(  # type: ignore[misc]
                    self.build([bindparam(f"v{i}") for i in range(size)]), dialect
                ),
            )
            params = compiled.params({f"v{i}": value for i, value in enumerate(chunk)})
            rows.extend(_run(session, compiled, params))
        return rows
