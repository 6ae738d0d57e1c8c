"""Rows of the accounts tables ↔ the domain's records (shared.records)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row

from shared.adapters.accounts.tables import group_user_index
from shared.records import Group, Membership, Service, User


def user_row(user: User) -> dict:
    return {
        "user_uuid": user.uuid,
        "user_email": user.email,
        "user_name": user.name,
        "user_phone": user.phone,
        "user_signup_date": user.signup_date,
        "user_last_logged_in": user.last_logged_in,
        "user_is_operator": user.is_operator,
        "user_is_private": user.is_private,
    }


def user_record(row: Row) -> User:
    m = row._mapping
    return User(
        uuid=m["user_uuid"],
        email=m["user_email"],
        name=m["user_name"],
        phone=m["user_phone"],
        signup_date=m["user_signup_date"],
        last_logged_in=m["user_last_logged_in"],
        is_operator=m["user_is_operator"],
        is_private=m["user_is_private"],
    )


def group_row(group: Group) -> dict:
    return {
        "group_uuid": group.uuid,
        "group_name": group.name,
        "group_user_count": group.user_count,
        "group_is_active": group.is_active,
        "group_created_on": group.created_on,
        "group_deleted_on": group.deleted_on,
        "group_is_private": group.is_private,
        "group_created_by": group.created_by,
    }


def group_record(row: Row) -> Group:
    m = row._mapping
    return Group(
        uuid=m["group_uuid"],
        name=m["group_name"],
        is_private=m["group_is_private"],
        created_by=m["group_created_by"],
        user_count=m["group_user_count"],
        is_active=m["group_is_active"],
        created_on=m["group_created_on"],
        deleted_on=m["group_deleted_on"],
    )


def member_row(group_uuid: str, user: User, is_admin: bool, when: datetime) -> dict:
    return {
        "group_user_index": group_user_index(group_uuid, user.uuid),
        "group_uuid": group_uuid,
        "user_uuid": user.uuid,
        "user_name": user.name,
        "is_active": True,
        "is_admin": is_admin,
        "added_on": when,
        "removed_on": None,
    }


def membership_record(row: Row) -> Membership:
    m = row._mapping
    return Membership(
        group_uuid=m["group_uuid"],
        user_uuid=m["user_uuid"],
        user_name=m["user_name"],
        is_active=m["is_active"],
        is_admin=m["is_admin"],
        added_on=m["added_on"],
        removed_on=m["removed_on"],
    )


def service_row(service: Service) -> dict:
    return {
        "service_uuid": service.service_uuid,
        "service_name": service.name,
        "service_pods_count": service.pods_count,
        "service_image_id": service.image_id,
        "service_min_scale": service.min_scale,
        "service_max_scale": service.max_scale,
    }


def service_record(row: Row) -> Service:
    m = row._mapping
    return Service(
        service_uuid=m["service_uuid"],
        name=m["service_name"],
        image_id=m["service_image_id"],
        pods_count=m["service_pods_count"],
        min_scale=m["service_min_scale"],
        max_scale=m["service_max_scale"],
    )
