"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401
from storage.engine import make_engine
from storage.events import claim_event_ids
from storage.schema import alembic_config, upgrade


def test_migrations_match_the_models(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    upgrade(engine)  # idempotent: running it at every start is safe
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_from_the_first_release_upgrades_in_place(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0001")
    stored = {
        "event_id": "evt-1",
        "type": "activity",
        "occurred_at": "2026-11-24 15:04:05",
        "received_at": "2026-11-24 15:04:06",
        "lead_id": 7,
        "source": "webhook",
    }
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (event_id, type, occurred_at, received_at, lead_id, source) "
                "VALUES (:event_id, :type, :occurred_at, :received_at, :lead_id, :source)"
            ),
            stored,
        )
    upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT event_id, lead_id FROM events")).all()
        indexes = {index["name"] for index in inspect(connection).get_indexes("events")}
    engine.dispose()
    assert [tuple(row) for row in kept] == [("evt-1", 7)]
    assert "ix_events_lead_id" not in indexes


def test_leads_stored_before_the_behaviour_tally_keep_their_scores(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (email, attributes, field_times, created_at, fit, "
                "behavior_decaying, behavior_fixed, behavior, score, band, alert_armed, "
                "alert_cycle) VALUES ('ana@acme.io', '{}', '{}', '2026-11-24 15:04:05', 20, "
                "50, 0, 50, 70, 'hot', false, 1)"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT email, score, behavior_tally FROM leads")).all()
    engine.dispose()
    assert [tuple(row) for row in kept] == [("ana@acme.io", 70, None)]


def test_event_ids_stored_before_0009_are_still_duplicates(empty_database_url: str) -> None:
    """0009 keeps each stored id (and its lead) while dropping the columns nothing read."""
    engine = make_engine(empty_database_url)
    upgrade(engine, "0008")
    with engine.begin() as connection:
        for event_id, lead_id in (("evt-1", 7), ("evt-2", 8)):
            connection.execute(
                text(
                    "INSERT INTO events (event_id, type, occurred_at, received_at, lead_id, "
                    "source) VALUES (:event_id, 'activity', '2026-11-24 15:04:05', "
                    "'2026-11-24 15:04:06', :lead_id, 'webhook')"
                ),
                {"event_id": event_id, "lead_id": lead_id},
            )
    upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT event_id, lead_id FROM events ORDER BY 1")).all()
        columns = {column["name"] for column in inspect(connection).get_columns("events")}
    with Session(engine) as session:
        fresh = claim_event_ids(
            session=session,
            rows=[{"event_id": "evt-1", "lead_id": 7}, {"event_id": "evt-3", "lead_id": 9}],
        )
        session.commit()
    engine.dispose()
    assert [tuple(row) for row in kept] == [("evt-1", 7), ("evt-2", 8)]
    assert columns == {"event_id", "lead_id"}
    assert fresh == {"evt-3"}


def test_the_tests_databases_start_as_the_migrations_leave_them(database_url: str) -> None:
    """Tests begin from a copy of one migrated database; the copy must be exactly that."""
    engine = make_engine(database_url)
    newest = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
        revision = context.get_current_revision()
    engine.dispose()
    assert differences == []
    assert revision == newest
