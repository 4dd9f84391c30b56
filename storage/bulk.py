"""The ingest path's hot statements, run on the DBAPI cursor.

Going through SQLAlchemy's ``execute`` costs more than the database work
itself on this path: per row it builds a parameter dictionary through
generic machinery, and per statement it sets up an execution context and
wraps the result, which for a one-row SELECT is most of the cost of a
single-event request (``python -m benchmarks.ingest --profile webhook``
shows it). Here a statement is compiled once per dialect (and per
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
from datetime import UTC, datetime
from functools import lru_cache, partial
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import JSON, BindParameter, bindparam, func, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable, Select, UpdateBase
from sqlmodel import Session

from storage.types import UTCDateTime

Processor = Callable[[Any], Any] | None


_COLUMNWISE_FROM = 16
"""Rows per statement from which parameters are built column by column."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    types: tuple[Any, ...]
    positional: bool
    defaults: Mapping[str, Any]
    """Literal values the statement carries itself (``LIMIT 1``)."""
    column_defaults: Mapping[str, Callable[[], Any]]
    """Python-side column defaults, for rows that leave those columns out."""

    def params(self, values: Mapping[str, Any]) -> Any:
        if self.defaults:
            values = {**self.defaults, **values}
        pairs = zip(self.names, self.binds, strict=True)
        try:
            processed = [values[n] if bind is None else bind(values[n]) for n, bind in pairs]
        except KeyError as missing:
            if missing.args[0] not in self.column_defaults:
                raise KeyError(f"no value for {missing.args[0]!r}") from None
            made = {n: make() for n, make in self.column_defaults.items() if n not in values}
            return self.params({**made, **values})
        if self.positional:
            return tuple(processed)
        return dict(zip(self.names, processed, strict=True))

    def params_many(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """``params`` of every row, built column by column (map and zip run in C).

        Rows that leave a column out (a column default) or a statement with
        literal values take the row-by-row path, which knows how to fill them;
        so do a few rows, for which setting up one pass per column costs more
        than it saves (single-event requests write one row per statement).
        """
        if self.defaults or len(rows) < _COLUMNWISE_FROM:
            return [self.params(row) for row in rows]
        try:
            return self._by_column([itemgetter(name) for name in self.names], rows)
        except KeyError:
            return [self.params(row) for row in rows]

    def params_of(self, objects: Sequence[Any], attributes: Mapping[str, str]) -> list[Any]:
        """``params_many`` of objects whose attributes hold the values, read column by column.

        ``attributes`` names the attribute for a parameter named otherwise
        (``_id`` for ``id`` in an UPDATE's WHERE); no dict is built per object.
        """
        if self.defaults:
            raise ValueError("a statement with literal values takes rows, not objects")
        getters = [attrgetter(attributes.get(name, name)) for name in self.names]
        return self._by_column(getters, objects)

    def _by_column(
        self, getters: Sequence[Callable[[Any], Any]], items: Sequence[Any]
    ) -> list[Any]:
        """Each column read off every item (and bound) in one pass, then zipped into rows."""
        columns = [
            list(map(get, items)) if bind is None else list(map(bind, map(get, items)))
            for get, bind in zip(getters, self.binds, strict=True)
        ]
        if self.positional:
            return list(zip(*columns, strict=True))
        return [dict(zip(self.names, values, strict=True)) for values in zip(*columns, strict=True)]

    def rows(self, raw: list[Any], description: Sequence[Any], dialect: Dialect) -> list[Any]:
        """Apply the result processors SQLAlchemy would pick for this cursor description."""
        results = self._results
        if results is None:
            results = [
                (i, process)
                for i, (kind, column) in enumerate(zip(self.types, description, strict=True))
                if (process := _result_processor(kind, dialect, column[1])) is not None
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


@lru_cache(maxsize=4_096)
def _sqlite_datetime_text(value: datetime | None) -> str | None:
    """``UTCDateTime`` then SQLite ``DATETIME`` binding, in one step (the same text)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


@lru_cache(maxsize=4_096)
def _sqlite_datetime_value(text: str | None) -> datetime | None:
    """SQLite ``DATETIME`` then ``UTCDateTime`` reading, in one step (the same value)."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _bind_processor(kind: Any, dialect: Dialect) -> Processor:
    if dialect.name == "sqlite" and isinstance(kind, UTCDateTime):
        return _sqlite_datetime_text
    process = kind.bind_processor(dialect)
    if isinstance(kind, JSON) and process is not None:
        return _empty_document_once(process)
    return process  # type: ignore[no-any-return]


def _empty_document_once(process: Callable[[Any], Any]) -> Processor:
    """Most attribute and property documents are empty: serialise ``{}`` once, not per row.

    Only where the processor makes text (SQLite); PostgreSQL's driver wraps
    the document in an object of its own, which is left to it.
    """
    empty = process({})
    if not isinstance(empty, str):
        return process
    return lambda value: empty if type(value) is dict and not value else process(value)


def _result_processor(kind: Any, dialect: Dialect, coltype: Any) -> Processor:
    if dialect.name == "sqlite" and isinstance(kind, UTCDateTime):
        return _sqlite_datetime_value
    process = kind.result_processor(dialect, coltype)
    if dialect.name == "sqlite" and isinstance(kind, JSON) and process is not None:
        # Most attribute and property documents are empty: skip the decoder.
        return lambda text: {} if text == "{}" else process(text)
    return process  # type: ignore[no-any-return]


def _column_default(default: Any) -> Any:
    """A scalar default's value, or a callable default's result (SQLAlchemy wraps it)."""
    return default.arg if default.is_scalar else default.arg(None)


def _compile(statement: Any, dialect: Dialect, **kwargs: Any) -> _Compiled:
    compiled = statement.compile(dialect=dialect, **kwargs)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup) if positional else tuple(by_name)
    binds = tuple(
        _bind_processor(by_name[name].type.dialect_impl(dialect), dialect) for name in names
    )
    defaults = {
        name: bind.effective_value
        for name, bind in by_name.items()
        if bind.value is not None or bind.callable is not None
    }
    column_defaults: dict[str, Callable[[], Any]] = {}
    table = getattr(statement, "table", None)
    for name in names:
        column = table.c.get(name) if table is not None else None
        default = getattr(column, "default", None)
        if default is not None and (default.is_scalar or default.is_callable):
            column_defaults[name] = partial(_column_default, default)
    types = tuple(  # a SELECT's columns, or what an INSERT or UPDATE returns
        column.type.dialect_impl(dialect) for column in getattr(statement, "exported_columns", ())
    )
    return _Compiled(compiled.string, names, binds, types, positional, defaults, column_defaults)


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


def _run(
    connection: Connection, compiled: _Compiled, params: Any, *, many: bool = False
) -> list[Any]:
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


_CONNECTION = "storage.bulk.connection"


def _connection(session: Session) -> Connection:
    """The session's connection, looked up once per transaction.

    ``Session.connection()`` walks the session's transaction state machine on
    every call (about a fifth of a one-event transaction, which runs eight
    statements); the connection cannot change while the same root transaction
    is open, so it is kept beside that transaction in ``session.info``.
    """
    transaction = session.get_transaction()
    cached = session.info.get(_CONNECTION)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]  # type: ignore[no-any-return]
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


class BulkStatement(_Cached):
    """One Core INSERT or UPDATE whose bind parameters are named after the row keys."""

    def __init__(self, statement: Executable) -> None:
        super().__init__()
        self.statement = statement

    def execute(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row, in one ``executemany``."""
        if rows:
            connection, compiled = self._compiled_on(session)
            _run(connection, compiled, compiled.params_many(rows), many=True)

    def execute_objects(
        self, session: Session, objects: Sequence[Any], attributes: Mapping[str, str] | None = None
    ) -> None:
        """``execute`` with each parameter read from the object's attribute of that name.

        For working copies that already hold every column (``LeadState``):
        building a dict per object first was a tenth of saving a batch's leads.
        """
        if objects:
            connection, compiled = self._compiled_on(session)
            _run(connection, compiled, compiled.params_of(objects, attributes or {}), many=True)

    def _compiled_on(self, session: Session) -> tuple[Connection, _Compiled]:
        connection = _connection(session)
        dialect = connection.dialect
        compiled = self._cached(
            dialect.name, lambda: _compile(self.statement, dialect, for_executemany=True)
        )
        return connection, compiled


class Query(_Cached):
    """A SELECT, or a one-row write with RETURNING, with fixed bind parameters.

    The parameters are none, or named ones given to ``fetch``.
    """

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        super().__init__()
        self.statement = statement

    def fetch(self, session: Session, **params: Any) -> list[Any]:
        connection = _connection(session)
        dialect = connection.dialect
        compiled = self._cached(dialect.name, lambda: _compile(self.statement, dialect))
        return _run(connection, compiled, compiled.params(params))


class BulkQuery(_Cached):
    """A SELECT filtered by ``IN (values)``; ``build(params)`` makes it for given bind params."""

    MAX_VALUES = 4_096

    def __init__(self, build: Callable[[list[BindParameter[Any]]], Select[Any]]) -> None:
        super().__init__()
        self.build = build

    def fetch(self, session: Session, values: Sequence[Any]) -> list[Any]:
        """Every matching row, as tuples of Python values (processed as SQLAlchemy would)."""
        connection = _connection(session)
        dialect = connection.dialect
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
            rows.extend(_run(connection, compiled, params))
        return rows


class FreeIds:
    """The ids SQLite would give the next rows of a table: those after the largest stored.

    Only in SQLite's write transaction (``BEGIN IMMEDIATE``), which excludes
    every other writer until the commit: there the ids can be assigned in
    memory, so rows are inserted whole by one ``executemany`` (which cannot
    give back ``RETURNING`` ids) instead of inserted and read back. Not for
    PostgreSQL, where another replica may insert at the same moment.
    """

    def __init__(self, table: Any) -> None:
        self._largest = Query(select(func.max(table.c.id)))

    def take(self, session: Session, count: int) -> range:
        largest = self._largest.fetch(session)[0][0] or 0
        return range(largest + 1, largest + 1 + count)
