"""add leads.fit_hits

Each lead keeps which fit rules its profile matches, one ``1`` or ``0`` per
rule in rule order, so a rule change that only moves points (what
calibration suggests) rescores every lead with one set-based UPDATE
instead of reading every profile. Leads stored before this revision have
none: the next rule change or profile update computes it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fit_hits", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("fit_hits")
