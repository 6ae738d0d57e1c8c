"""Rows of the accounts tables ↔ the domain's records (shared.records).

One field ↔ column table (shared.adapters.fields.FieldMap) per record, read both ways;
the values pass as they are (tables.py's column types do the converting).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row

from shared.adapters.accounts.tables import group_user_index
from shared.adapters.fields import FieldMap, R
from shared.records import Group, Membership, Service, User


class RowMap(FieldMap[R]):
    """A FieldMap that reads SQLAlchemy rows."""

    def record(self, row: Row, **extra) -> R:  # type: ignore[override]
        return super().record(row._mapping, **extra)


USER = RowMap(
    User,
    {
        "user_uuid": "uuid",
        "user_email": "email",
        "user_name": "name",
        "user_phone": "phone",
        "user_signup_date": "signup_date",
        "user_last_logged_in": "last_logged_in",
        "user_is_operator": "is_operator",
        "user_is_private": "is_private",
    },
)
GROUP = RowMap(
    Group,
    {
        "group_uuid": "uuid",
        "group_name": "name",
        "group_user_count": "user_count",
        "group_is_active": "is_active",
        "group_created_on": "created_on",
        "group_deleted_on": "deleted_on",
        "group_is_private": "is_private",
        "group_created_by": "created_by",
    },
)
MEMBERSHIP = RowMap(
    Membership,
    {
        "group_uuid": "group_uuid",
        "user_uuid": "user_uuid",
        "user_name": "user_name",
        "is_active": "is_active",
        "is_admin": "is_admin",
        "added_on": "added_on",
        "removed_on": "removed_on",
    },
)
SERVICE = RowMap(
    Service,
    {
        "service_uuid": "service_uuid",
        "service_name": "name",
        "service_pods_count": "pods_count",
        "service_image_id": "image_id",
        "service_min_scale": "min_scale",
        "service_max_scale": "max_scale",
    },
)


def member_row(group_uuid: str, user: User, is_admin: bool, when: datetime) -> dict:
    """The row of `user` joining the group now (active)."""
    member = Membership(
        group_uuid=group_uuid,
        user_uuid=user.uuid,
        user_name=user.name,
        is_active=True,
        is_admin=is_admin,
        added_on=when,
    )
    return MEMBERSHIP.row(member) | {"group_user_index": group_user_index(group_uuid, user.uuid)}
