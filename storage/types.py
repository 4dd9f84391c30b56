"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; stored naive UTC so SQLite sorts and compares them."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


JSONDoc = JSON().with_variant(JSONB(), "postgresql")
"""JSON on SQLite, JSONB on PostgreSQL."""


def json_default() -> dict[str, Any]:
    return {}


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()


def json_text(value: Any) -> str:
    """A JSON document as SQLite stores it: compact UTF-8, in a fifth of ``json.dumps``' time.

    Every lead an ingest batch touches has its tally written and three
    documents read; with the standard library that was about a tenth of a
    webhook batch. Floats are written in their shortest exact form, as
    ``json.dumps`` does, so tallies read back to the last bit.
    """
    return _ENCODER.encode(value).decode()


def json_value(text: str | bytes) -> Any:
    """A stored JSON document; text that only ``json.loads`` reads (``NaN``) falls back to it."""
    try:
        return _DECODER.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)
