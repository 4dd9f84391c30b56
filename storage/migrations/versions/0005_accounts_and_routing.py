"""accounts, reps and their daily load; leads.account_id; alert reassignment columns

Routing goes to an account's owner first, skips reps who are away, out of
hours or at capacity, and reassigns unclaimed alerts: all of it stored so
replicas and restarts agree.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(), nullable=True, **kwargs)


def upgrade() -> None:
    document = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("owner_id", sa.String(length=30), nullable=True),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("owner_source", sa.String(), nullable=True),
        _when("owner_since"),
        _when("heat_alerted_at"),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_accounts_owner_id", "accounts", ["owner_id"])
    op.create_table(
        "reps",
        sa.Column("user_id", sa.String(length=30), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("tz", sa.String(), nullable=True),
        _when("tz_checked_at"),
        _when("away_since"),
        _when("away_until"),
    )
    op.create_index("ix_reps_email", "reps", ["email"])
    op.create_table(
        "rep_loads",
        sa.Column("user_id", sa.String(length=30), primary_key=True),
        sa.Column("day", sa.String(length=10), primary_key=True),
        sa.Column("alerts", sa.Integer(), nullable=False, server_default="0"),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_leads_account_id", ["account_id"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reassignments", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(_when("assigned_at"))
        batch_op.add_column(sa.Column("routing", document, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("routing")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("reassignments")
        batch_op.drop_column("account_id")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_account_id")
        batch_op.drop_column("account_id")
    op.drop_table("rep_loads")
    op.drop_index("ix_reps_email", table_name="reps")
    op.drop_table("reps")
    op.drop_index("ix_accounts_owner_id", table_name="accounts")
    op.drop_table("accounts")
