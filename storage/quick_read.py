"""Read-only lookups through the database driver alone, for commands that must start at once.

``leadscore score EMAIL`` and ``leadscore top N`` read a handful of rows;
importing SQLAlchemy, the SQLModel models and Alembic costs several times
the lookup itself. These queries read the same tables as ``storage.lookup``,
``storage.activities`` and ``storage.rule_sets``, with the standard library's
``sqlite3`` for SQLite and ``psycopg`` for PostgreSQL, and give the values
SQLAlchemy would (aware UTC datetimes, decoded JSON).

They run only where the full path would change nothing first: a plain
``sqlite:///FILE`` (the file exists) or ``postgresql+psycopg://`` URL, and a
schema already at the newest migration. Anything else (another driver, URL
options SQLAlchemy would interpret, an older schema, a missing table) makes
``quick_reader`` yield None, and the caller takes the full path, which
migrates. ``tests/storage/test_quick_read.py`` holds both paths to the same
answers on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from scoring.evaluate import ActivityRecord

SQLITE = "sqlite:///"
POSTGRES = "postgresql+psycopg://"
VERSIONS = Path(__file__).parent / "migrations" / "versions"


@dataclass(frozen=True)
class LeadRow:
    """The lead columns a score card or a ranking shows."""

    id: int
    email: str
    name: str | None
    title: str | None
    company: str | None
    company_size: int | None
    industry: str | None
    country: str | None
    region: str | None
    attributes: dict[str, Any]
    score: float
    band: str
    fit: float
    behavior: float
    last_activity_at: datetime | None
    account_id: int | None


@dataclass(frozen=True)
class ClaimRow:
    """Who claimed the lead's latest alert (what ``score --json`` shows of it)."""

    claimed_by: str | None


@dataclass(frozen=True)
class AccountRow:
    key: str
    owner_id: str | None


@dataclass(frozen=True)
class RuleSetText:
    """The active rule set version and its YAML."""

    version: int
    content: str


class QuickConnection:
    """A DB-API connection inside one read transaction, and how its values read back."""

    def __init__(self, connection: Any, *, sqlite: bool) -> None:
        self.connection = connection
        self.sqlite = sqlite

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """``sql`` written with ``?`` placeholders, on either driver."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql if self.sqlite else sql.replace("?", "%s"), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def when(self, value: Any) -> datetime | None:
        """A stored naive UTC datetime (text on SQLite) as an aware one, as ``UTCDateTime`` does."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]

    def json(self, value: Any) -> Any:
        """A JSON column: text on SQLite, decoded by psycopg.

        The standard library reads the few documents of one lookup as the engine's
        msgspec reads them (the same JSON, the same numbers) without importing it.
        """
        if value is None or not self.sqlite:
            return value
        return json.loads(value)


@contextmanager
def quick_reader(url: str) -> Iterator[QuickConnection | None]:
    """A read transaction on a database at the newest schema; None when that is not plain."""
    head = head_revision()
    connection = _connect(url) if head is not None else None
    if connection is None or head is None:
        yield None
        return
    try:
        reader = QuickConnection(connection, sqlite=url.startswith(SQLITE))
        if reader.sqlite:
            connection.execute("BEGIN")  # one snapshot for every query, as read_scope has
        yield reader if _at(reader, head) else None
    finally:
        connection.rollback()
        connection.close()


def head_revision() -> str | None:
    """The newest migration, from the revision lines of the migration files."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        parent = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if revision is None:
            return None
        revisions.add(revision.group(1))
        if parent is not None:
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at(reader: QuickConnection, head: str) -> bool:
    try:
        found = reader.rows("SELECT version_num FROM alembic_version")
    except Exception:  # no such table: never migrated
        return False
    return [row[0] for row in found] == [head]


def _connect(url: str) -> Any | None:
    if url.startswith(SQLITE):
        return _sqlite(url.removeprefix(SQLITE))
    if url.startswith(POSTGRES):
        return _postgres(url)
    return None


def _sqlite(path: str) -> Any | None:
    """The file of a ``sqlite:///FILE`` URL, never created here (the full path creates it)."""
    import sqlite3

    if not path or path == ":memory:" or any(c in path for c in "?#%") or path.startswith("file:"):
        return None
    if not os.path.isfile(path):
        return None
    try:
        connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
    except sqlite3.Error:
        return None
    connection.isolation_level = None  # transactions as written (BEGIN above)
    return connection


def _postgres(url: str) -> Any | None:
    """Connect with the arguments SQLAlchemy's psycopg dialect would pass."""
    parts = urlsplit(url)
    if "," in parts.netloc or parts.fragment:
        return None  # several hosts: left to SQLAlchemy
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = dict(query)
    if len(options) != len(query):
        return None
    arguments: dict[str, Any] = {}
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.username:
        arguments["user"] = unquote(parts.username)
    if parts.password:
        arguments["password"] = unquote(parts.password)
    if parts.hostname:
        arguments["host"] = parts.hostname
    if port is not None:
        arguments["port"] = port
    if parts.path.strip("/"):
        arguments["dbname"] = unquote(parts.path.lstrip("/"))
    arguments.update(options)
    import psycopg

    try:
        return psycopg.connect(**arguments)
    except psycopg.Error:
        return None  # the full path reports it as it always did


_LEAD_COLUMNS = (
    "id, email, name, title, company, company_size, industry, country, region, attributes, "
    "score, band, fit, behavior, last_activity_at, account_id"
)


def _lead(reader: QuickConnection, row: tuple[Any, ...]) -> LeadRow:
    values = list(row)
    values[9] = reader.json(values[9]) or {}
    values[14] = reader.when(values[14])
    return LeadRow(*values)


def lead_by_email(*, reader: QuickConnection, email: str) -> LeadRow | None:
    """``storage.lookup.lead_by_email``: the email trimmed and lower-cased."""
    rows = reader.rows(
        f"SELECT {_LEAD_COLUMNS} FROM leads WHERE email = ?", [email.strip().lower()]
    )
    return _lead(reader, rows[0]) if rows else None


def top_leads(*, reader: QuickConnection, limit: int) -> list[LeadRow]:
    """``storage.lookup.top_leads``: the highest scores first, then the oldest lead."""
    rows = reader.rows(
        f"SELECT {_LEAD_COLUMNS} FROM leads ORDER BY score DESC, id LIMIT ?", [limit]
    )
    return [_lead(reader, row) for row in rows]


def active_rule_set(*, reader: QuickConnection) -> RuleSetText | None:
    """``storage.rule_sets.active_version``: the most recently activated version."""
    rows = reader.rows(
        "SELECT version, content FROM rule_set_versions "
        "ORDER BY activated_at DESC, version DESC LIMIT 1"
    )
    return RuleSetText(rows[0][0], rows[0][1]) if rows else None


def current_claim(*, reader: QuickConnection, lead_id: int) -> ClaimRow | None:
    """``storage.lookup.current_alert``, as far as a claim goes."""
    rows = reader.rows(
        "SELECT claimed_by FROM alerts WHERE lead_id = ? ORDER BY id DESC LIMIT 1", [lead_id]
    )
    return ClaimRow(rows[0][0]) if rows else None


def account(*, reader: QuickConnection, account_id: int) -> AccountRow | None:
    rows = reader.rows("SELECT key, owner_id FROM accounts WHERE id = ?", [account_id])
    return AccountRow(rows[0][0], rows[0][1]) if rows else None


def history(*, reader: QuickConnection, lead_id: int) -> list[ActivityRecord]:
    """``storage.activities.history`` of one lead: the same query, oldest first."""
    from scoring.evaluate import ActivityRecord  # not needed by a ranking

    rows = reader.rows(
        "SELECT lead_id, kind, occurred_at, url, properties FROM activities WHERE lead_id IN (?)",
        [lead_id],
    )
    records = [
        ActivityRecord(kind, reader.when(at), url, reader.json(properties) or {})  # type: ignore[arg-type]
        for _, kind, at, url, properties in rows
    ]
    records.sort(key=lambda a: a.occurred_at)
    return records
