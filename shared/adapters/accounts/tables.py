"""The accounts tables, named after the seed's relational schema.

user_master, user_group_master, user_group_user_list, application_master and
app_service_groups_master. The migrations in ./migrations create exactly these;
the adapter queries them through SQLAlchemy Core.

Emails are stored lower-cased, so the unique index on user_email is case-insensitive.
`user_group_user_list.user_name` copies user_master.user_name (the seed keeps it there
so a member list needs no join); update_user keeps the copy in step.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """An aware UTC datetime in and out, on every dialect.

    PostgreSQL keeps `timestamptz` and answers in the session's zone; SQLite keeps text
    without a zone. Either way the value goes in as UTC and comes back as aware UTC.
    A naive value is taken as UTC, as shared.records.parse_time does.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


UUID = String(36)
metadata = MetaData()

user_master = Table(
    "user_master",
    metadata,
    Column("user_uuid", UUID, primary_key=True),
    Column("user_email", String(320), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("user_phone", String(32)),
    Column("user_signup_date", UtcDateTime, nullable=False),
    Column("user_last_logged_in", UtcDateTime),
    Column("user_password_hashed", String(255), nullable=False),
    Column("user_is_operator", Boolean, nullable=False, default=False),  # revision 0002
    Column("user_is_private", Boolean, nullable=False, default=False),  # revision 0003
    # the primary key is the btree on user_uuid
    Index("ix_user_master_user_email", "user_email", unique=True),
    Index("ix_user_master_user_name", "user_name"),
)

user_group_master = Table(
    "user_group_master",
    metadata,
    Column("group_uuid", UUID, primary_key=True),
    Column("group_name", String(200), nullable=False),
    Column("group_user_count", Integer, nullable=False, default=0),
    Column("group_is_active", Boolean, nullable=False, default=True),
    Column("group_created_on", UtcDateTime, nullable=False),
    Column("group_deleted_on", UtcDateTime),
    Column("group_is_private", Boolean, nullable=False, default=False),
    Column("group_created_by", UUID, ForeignKey("user_master.user_uuid"), nullable=False),
)

user_group_user_list = Table(
    "user_group_user_list",
    metadata,
    Column("group_user_index", String(73), primary_key=True),  # "<group uuid>:<user uuid>"
    Column("group_uuid", UUID, ForeignKey("user_group_master.group_uuid"), nullable=False),
    Column("user_uuid", UUID, ForeignKey("user_master.user_uuid"), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("added_on", UtcDateTime, nullable=False),
    Column("removed_on", UtcDateTime),
    Index("ix_user_group_user_list_is_active", "is_active"),
    Index("ix_user_group_user_list_group_uuid", "group_uuid"),
    Index("ix_user_group_user_list_user_uuid", "user_uuid"),
)

# who asked to follow a private account and awaits its approval (revision 0003)
follow_request = Table(
    "follow_request",
    metadata,
    Column("followee_uuid", UUID, ForeignKey("user_master.user_uuid"), primary_key=True),
    Column("follower_uuid", UUID, ForeignKey("user_master.user_uuid"), primary_key=True),
    Column("requested_on", UtcDateTime, nullable=False),
)

application_master = Table(
    "application_master",
    metadata,
    Column("app_uuid", UUID, primary_key=True),
    Column("app_name", String(200), nullable=False),
    Column("app_pods_count", Integer, nullable=False, default=0),
)

app_service_groups_master = Table(
    "app_service_groups_master",
    metadata,
    Column("service_uuid", UUID, primary_key=True),
    Column("service_name", String(200), nullable=False),
    Column("service_pods_count", Integer, nullable=False, default=0),
    Column("service_image_id", String(500), nullable=False),
    Column("service_min_scale", Integer),  # revision 0004
    Column("service_max_scale", Integer),
)

# Townsquare is the one application of application_master; its app_pods_count is
# the sum of its service groups' pods, kept by register_service.
TOWNSQUARE_APP_UUID = "7f0a3c52-5d7e-4b8e-9a55-2f1c0e9b7d01"
TOWNSQUARE_APP_NAME = "townsquare"


def group_user_index(group_uuid: str, user_uuid: str) -> str:
    return f"{group_uuid}:{user_uuid}"
