"""Operator rights are a role in accounts, granted explicitly, never by signing up.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_master") as table:
        table.add_column(
            sa.Column("user_is_operator", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("user_master") as table:
        table.drop_column("user_is_operator")
