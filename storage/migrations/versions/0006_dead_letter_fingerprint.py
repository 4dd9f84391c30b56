"""add dead_letters.fingerprint, unique

A rejected event or CSV row is kept once: re-running an import or
re-delivering a rejected event finds its fingerprint and stores nothing.
Rows kept before this revision have none (NULLs never collide).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index("ux_dead_letters_fingerprint", ["fingerprint"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ux_dead_letters_fingerprint")
        batch_op.drop_column("fingerprint")
