"""app_service_groups_master gets each service's scale bounds (min and max pods).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_service_groups_master") as table:
        table.add_column(sa.Column("service_min_scale", sa.Integer))
        table.add_column(sa.Column("service_max_scale", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("app_service_groups_master") as table:
        table.drop_column("service_max_scale")
        table.drop_column("service_min_scale")
