"""drop the events.lead_id index

Nothing reads events by lead: the table only answers "was this id stored?"
(its primary key). The index cost a random-position page write per event in
every commit: on a database holding 50,000 events, 40 webhook batches spent
0.97 s committing with it and 0.74 s without (SQLite, same run).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_lead_id"))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_lead_id"), ["lead_id"], unique=False)
