"""The cursor-level statements store and read back exactly what SQLAlchemy's own would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError

from storage.bulk import BulkQuery, BulkStatement, Query
from storage.engine import session_scope
from storage.models import Activity, Lead

LEADS = Lead.__table__  # type: ignore[attr-defined]
ACTIVITIES = Activity.__table__  # type: ignore[attr-defined]
BERLIN = timezone(timedelta(hours=1))
MOMENTS = [
    datetime(2026, 11, 25, 13, 0, 0, 5, tzinfo=BERLIN),
    datetime(1990, 1, 1, tzinfo=UTC),
    datetime(2199, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
]


def _activity(i: int) -> dict[str, object]:
    return {
        "lead_id": 1,
        "event_id": f"e{i}",
        "kind": "page_view",
        "url": None if i % 3 else "https://ex.com/pricing",
        "properties": [{}, {"visit": 1, "ok": True, "x": 1.5}, {"nested": {"a": [1, "b"]}}][i % 3],
        "occurred_at": MOMENTS[i % 3],
    }


def test_rows_written_by_bulk_read_back_as_sqlalchemy_writes_them(engine: Engine) -> None:
    rows = [_activity(i) for i in range(6)]
    columns = list(rows[0])
    bulk = BulkStatement(ACTIVITIES.insert().values({c: bindparam(c) for c in columns}))
    with session_scope(engine) as session:
        bulk.execute(session, rows[:3])
        session.connection().execute(ACTIVITIES.insert(), rows[3:])
    query = select(*[ACTIVITIES.c[c] for c in columns]).order_by(ACTIVITIES.c.event_id)
    by_id = BulkQuery(lambda ids: query.where(ACTIVITIES.c.event_id.in_(ids)))
    with session_scope(engine) as session:
        orm = [tuple(row) for row in session.execute(query)]
        raw = [tuple(row) for row in by_id.fetch(session, [f"e{i}" for i in range(6)])]
    assert raw == orm
    assert [(r[0], *r[2:]) for r in orm[:3]] == [(r[0], *r[2:]) for r in orm[3:]]
    assert [r[-1] for r in orm] == [m.astimezone(UTC) for m in MOMENTS] * 2
    assert all(r[-1].tzinfo is UTC for r in orm)


def test_objects_are_written_as_their_rows_would_be(engine: Engine) -> None:
    """Working copies go in attribute by attribute, a renamed parameter included."""
    rows = [_activity(i) for i in range(20)]  # enough for the column-by-column path
    columns = list(rows[0])
    insert = BulkStatement(ACTIVITIES.insert().values({c: bindparam(c) for c in columns}))
    renumber = BulkStatement(
        ACTIVITIES.update()
        .where(ACTIVITIES.c.event_id == bindparam("_key"))
        .values(lead_id=bindparam("lead_id"))
    )
    with session_scope(engine) as session:
        insert.execute_objects(session, [SimpleNamespace(**row) for row in rows[:10]])
        insert.execute(session, rows[10:])
        moved = [SimpleNamespace(key=f"e{i}", lead_id=100 + i) for i in range(0, 20, 2)]
        renumber.execute_objects(session, moved, {"_key": "key"})
    query = select(*[ACTIVITIES.c[c] for c in columns]).order_by(ACTIVITIES.c.id)
    with session_scope(engine) as session:
        stored = [dict(row._mapping) for row in session.execute(query)]
    assert stored == [
        {
            **row,
            "lead_id": 100 + i if i % 2 == 0 else 1,
            "occurred_at": row["occurred_at"].astimezone(UTC),
        }
        for i, row in enumerate(rows)
    ]


def test_in_lists_of_any_size_find_every_row_once(engine: Engine) -> None:
    rows = [{**_activity(i), "lead_id": i} for i in range(5_000)]
    with session_scope(engine) as session:
        session.connection().execute(ACTIVITIES.insert(), rows)
    by_lead = BulkQuery(
        lambda ids: select(ACTIVITIES.c.lead_id).where(ACTIVITIES.c.lead_id.in_(ids))
    )
    with session_scope(engine) as session:
        for wanted in ([7], list(range(3)), list(range(0, 5_000, 3)), [*range(4_999), 10**6]):
            found = sorted(row[0] for row in by_lead.fetch(session, wanted))
            assert found == sorted(w for w in wanted if w < 5_000)
        assert by_lead.fetch(session, []) == []


def test_fixed_queries_keep_their_literal_parameters(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.connection().execute(ACTIVITIES.insert(), [_activity(i) for i in range(4)])
        newest = Query(
            select(ACTIVITIES.c.event_id).order_by(ACTIVITIES.c.event_id.desc()).limit(2)
        )
        assert [row[0] for row in newest.fetch(session)] == ["e3", "e2"]


def test_a_naive_datetime_is_refused_as_before(engine: Engine) -> None:
    bulk = BulkStatement(ACTIVITIES.insert().values({c: bindparam(c) for c in _activity(0)}))
    with pytest.raises(ValueError, match="naive datetime"), session_scope(engine) as session:
        bulk.execute(session, [{**_activity(0), "occurred_at": datetime(2026, 1, 1)}])


def test_column_defaults_fill_what_a_row_leaves_out(engine: Engine) -> None:
    columns = ("email", "created_at")
    bulk = BulkStatement(LEADS.insert().values({c: bindparam(c) for c in columns}))
    with session_scope(engine) as session:
        bulk.execute(session, [{"email": "a@b.io", "created_at": MOMENTS[0]}])
    with session_scope(engine) as session:
        lead = session.scalars(select(Lead)).one()
    assert (lead.band, lead.score, lead.alert_armed, lead.attributes) == ("cold", 0.0, True, {})


def test_driver_errors_surface_as_sqlalchemy_errors(engine: Engine) -> None:
    columns = ("email", "created_at")
    bulk = BulkStatement(LEADS.insert().values({c: bindparam(c) for c in columns}))
    lead = {"email": "a@b.io", "created_at": MOMENTS[0]}
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        bulk.execute(session, [lead, lead])
