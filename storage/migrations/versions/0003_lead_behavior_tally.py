"""add leads.behavior_tally

Each lead keeps what its behaviour has earned rule by rule (``scoring.tally``),
so an event that is the lead's newest is scored without reading and
replaying its whole activity history. Leads stored before this revision
have none: their next event replays the history once and stores one.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    document = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("behavior_tally", document, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("behavior_tally")
