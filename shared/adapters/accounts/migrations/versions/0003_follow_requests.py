"""Private accounts: followers need approval (user_is_private, follow_request).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UUID = sa.String(36)


def upgrade() -> None:
    with op.batch_alter_table("user_master") as table:
        table.add_column(
            sa.Column("user_is_private", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "follow_request",
        sa.Column("followee_uuid", UUID, sa.ForeignKey("user_master.user_uuid"), primary_key=True),
        sa.Column("follower_uuid", UUID, sa.ForeignKey("user_master.user_uuid"), primary_key=True),
        sa.Column("requested_on", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("follow_request")
    with op.batch_alter_table("user_master") as table:
        table.drop_column("user_is_private")
