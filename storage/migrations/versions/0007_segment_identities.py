"""add segment_identities and segment_pending_events

Events from the Segment-spec tracking API may name a visitor by an
``anonymousId`` (or a ``userId``) before any email is known. The identities
table remembers which email (or which user id) each id belongs to; pending
events wait there until an identify links them to a lead.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    document = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "segment_identities",
        sa.Column("identity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("linked_user", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("identity"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("segment_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segment_identities_linked_user"), ["linked_user"], unique=False
        )
    op.create_table(
        "segment_pending_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("identity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("event", document, nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("segment_pending_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segment_pending_events_identity"), ["identity"], unique=False
        )


def downgrade() -> None:
    op.drop_table("segment_pending_events")
    op.drop_table("segment_identities")
