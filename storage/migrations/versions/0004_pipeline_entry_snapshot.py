"""add pipeline_entries.snapshot

A pipeline entry keeps what the lead looked like when it entered: its
profile and attributes, and its activity counts by kind, URL and property
(``scoring.calibration.entry_snapshot``). Calibration proposes new rules from
it. Entries stored before this revision have none: they still count for the
current rules, not for discovering new ones.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    document = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("pipeline_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", document, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pipeline_entries", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
