"""The seed's accounts tables: users, groups, membership, application, service groups.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Written out in full (not imported from tables.py) so this revision never changes
when the tables do; later changes are later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UUID = sa.String(36)
WHEN = sa.DateTime(timezone=True)
TOWNSQUARE_APP_UUID = "7f0a3c52-5d7e-4b8e-9a55-2f1c0e9b7d01"


def upgrade() -> None:
    op.create_table(
        "user_master",
        sa.Column("user_uuid", UUID, primary_key=True),
        sa.Column("user_email", sa.String(320), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("user_phone", sa.String(32)),
        sa.Column("user_signup_date", WHEN, nullable=False),
        sa.Column("user_last_logged_in", WHEN),
        sa.Column("user_password_hashed", sa.String(255), nullable=False),
    )
    op.create_index("ix_user_master_user_email", "user_master", ["user_email"], unique=True)
    op.create_index("ix_user_master_user_name", "user_master", ["user_name"])

    op.create_table(
        "user_group_master",
        sa.Column("group_uuid", UUID, primary_key=True),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("group_user_count", sa.Integer, nullable=False),
        sa.Column("group_is_active", sa.Boolean, nullable=False),
        sa.Column("group_created_on", WHEN, nullable=False),
        sa.Column("group_deleted_on", WHEN),
        sa.Column("group_is_private", sa.Boolean, nullable=False),
        sa.Column("group_created_by", UUID, sa.ForeignKey("user_master.user_uuid"), nullable=False),
    )

    op.create_table(
        "user_group_user_list",
        sa.Column("group_user_index", sa.String(73), primary_key=True),
        sa.Column(
            "group_uuid", UUID, sa.ForeignKey("user_group_master.group_uuid"), nullable=False
        ),
        sa.Column("user_uuid", UUID, sa.ForeignKey("user_master.user_uuid"), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("added_on", WHEN, nullable=False),
        sa.Column("removed_on", WHEN),
    )
    op.create_index("ix_user_group_user_list_is_active", "user_group_user_list", ["is_active"])
    op.create_index("ix_user_group_user_list_group_uuid", "user_group_user_list", ["group_uuid"])
    op.create_index("ix_user_group_user_list_user_uuid", "user_group_user_list", ["user_uuid"])

    application_master = op.create_table(
        "application_master",
        sa.Column("app_uuid", UUID, primary_key=True),
        sa.Column("app_name", sa.String(200), nullable=False),
        sa.Column("app_pods_count", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        application_master,
        [{"app_uuid": TOWNSQUARE_APP_UUID, "app_name": "townsquare", "app_pods_count": 0}],
    )

    op.create_table(
        "app_service_groups_master",
        sa.Column("service_uuid", UUID, primary_key=True),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("service_pods_count", sa.Integer, nullable=False),
        sa.Column("service_image_id", sa.String(500), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_service_groups_master")
    op.drop_table("application_master")
    op.drop_table("user_group_user_list")
    op.drop_table("user_group_master")
    op.drop_index("ix_user_master_user_name", table_name="user_master")
    op.drop_index("ix_user_master_user_email", table_name="user_master")
    op.drop_table("user_master")
