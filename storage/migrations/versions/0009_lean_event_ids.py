"""events keep only what deduplication needs: the id (and the lead it was about)

The ``events`` table answers one question, "was this id stored before?";
nothing reads its type, times or source. Every accepted event wrote them,
and on SQLite the table was two B-trees (the rowid table and the primary
key's index), so each event id cost two random-position page writes. Now
it is ``event_id`` (the primary key) and ``lead_id``, and on SQLite a
``WITHOUT ROWID`` table: one B-tree keyed by the id. Stored ids are kept,
so what was a duplicate before is one after.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DROPPED = ("type", "occurred_at", "received_at", "source")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE events_lean (event_id VARCHAR(200) NOT NULL, "
            "lead_id INTEGER NOT NULL, PRIMARY KEY (event_id)) WITHOUT ROWID"
        )
        op.execute("INSERT INTO events_lean (event_id, lead_id) SELECT event_id, lead_id FROM events")
        op.execute("DROP TABLE events")
        op.execute("ALTER TABLE events_lean RENAME TO events")
        return
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in _DROPPED:
            batch_op.drop_column(name)


def downgrade() -> None:
    """The columns come back; ids stored meanwhile get the time of the downgrade and
    type and source ``unknown`` (what they were is not kept)."""
    now = sa.text("CURRENT_TIMESTAMP")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE events_full (event_id VARCHAR(200) NOT NULL, type VARCHAR NOT NULL, "
            "occurred_at DATETIME NOT NULL, received_at DATETIME NOT NULL, "
            "lead_id INTEGER NOT NULL, source VARCHAR NOT NULL, PRIMARY KEY (event_id))"
        )
        op.execute(
            "INSERT INTO events_full SELECT event_id, 'unknown', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, lead_id, 'unknown' FROM events"
        )
        op.execute("DROP TABLE events")
        op.execute("ALTER TABLE events_full RENAME TO events")
        return
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(), nullable=False, server_default="unknown"))
        batch_op.add_column(sa.Column("occurred_at", sa.DateTime(), nullable=False, server_default=now))
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=False, server_default=now))
        batch_op.add_column(sa.Column("source", sa.String(), nullable=False, server_default="unknown"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in _DROPPED:
            batch_op.alter_column(name, server_default=None)
