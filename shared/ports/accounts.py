"""accounts: users, groups, membership, application and service-group tables.

High consistency is the point of this store (the seed puts it on PostgreSQL):
each method is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from shared.records import Group, Membership, Service, User


class Accounts(Protocol):
    # users (user_master)
    def create_user(self, user: User, password_hash: str) -> User:
        """Insert; Conflict(field="email") if the email (case-insensitive) is taken."""

    def get_user(self, uuid: str) -> User:
        """NotFound if absent."""

    def find_user_by_email(self, email: str) -> User | None: ...
    def users(self, uuids: list[str]) -> list[User]:
        """The users that exist among `uuids`, in any order."""

    def password_hash(self, uuid: str) -> str: ...
    def set_password_hash(self, uuid: str, password_hash: str) -> None: ...
    def update_user(
        self,
        uuid: str,
        *,
        name: str | None = None,
        phone: str | None = None,
        is_private: bool | None = None,
    ) -> User:
        """Change only the fields given (not None); NotFound if absent."""

    def record_login(self, uuid: str, when: datetime) -> None: ...
    def set_operator(self, uuid: str, is_operator: bool) -> User:
        """Grant or revoke operator rights (insights, admin views); NotFound if absent."""

    def operators(self) -> list[User]: ...

    # follow requests to private accounts (follow_request)
    def request_follow(self, follower: str, followee: str, when: datetime) -> None:
        """Record the request (a repeat keeps the first time); NotFound for unknown users."""

    def follow_requests(self, followee: str) -> list[tuple[str, datetime]]:
        """(follower uuid, requested_on) awaiting `followee`'s answer, oldest first."""

    def drop_follow_request(self, follower: str, followee: str) -> bool:
        """Remove the request; True if there was one."""

    def count_users(self) -> int: ...

    # groups (user_group_master, user_group_user_list)
    def create_group(self, group: Group, creator: User) -> Group:
        """Insert the group and the creator as an active admin member (user_count 1)."""

    def get_group(self, uuid: str) -> Group:
        """NotFound if absent. Soft-deleted groups are returned with is_active False."""

    def groups(self, uuids: list[str]) -> list[Group]: ...
    def popular_groups(self, *, limit: int) -> list[Group]:
        """Active public groups, most members first (what a newcomer is shown)."""

    def delete_group(self, uuid: str, when: datetime) -> None:
        """Soft delete: is_active False, deleted_on set; memberships kept."""

    def add_member(
        self, group_uuid: str, user: User, *, is_admin: bool, when: datetime
    ) -> Membership:
        """Add or re-activate; Conflict if already an active member. Keeps user_count true."""

    def membership(self, group_uuid: str, user_uuid: str) -> Membership | None:
        """The ACTIVE membership, or None."""

    def set_admin(self, group_uuid: str, user_uuid: str, is_admin: bool) -> Membership:
        """NotFound if not an active member."""

    def remove_member(self, group_uuid: str, user_uuid: str, when: datetime) -> None:
        """Soft remove (is_active False, removed_on); NotFound if not an active member."""

    def members(self, group_uuid: str) -> list[Membership]:
        """Active members, oldest first."""

    def groups_of(self, user_uuid: str) -> list[Group]:
        """Active groups the user is an active member of."""

    # whole-table reads, for the analytics export (in any order)
    def all_users(self) -> Iterator[User]: ...
    def all_groups(self) -> Iterator[Group]:
        """Every group, soft-deleted ones included."""

    def all_memberships(self) -> Iterator[Membership]:
        """Every membership row, removed ones included."""

    # application_master / app_service_groups_master
    def register_service(self, service: Service) -> None:
        """Upsert by service_uuid."""

    def services(self) -> list[Service]: ...

    def health(self) -> None: ...
    def close(self) -> None: ...
