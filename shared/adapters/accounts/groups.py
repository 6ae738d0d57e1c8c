"""user_group_master and user_group_user_list: the groups half of SqlAccounts.

group_user_count is kept in the same transaction as the membership row it counts,
by guarded statements (`UPDATE … WHERE is_active`): their row counts decide
Conflict / NotFound, and the count moves by arithmetic in SQL, so two racing joins
can never both count (on PostgreSQL the second waits on the row lock and then
matches nothing; on SQLite writers are serialised by BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select, update

from shared.adapters.accounts.rows import GROUP, MEMBERSHIP, member_row
from shared.adapters.accounts.tables import group_user_index
from shared.adapters.accounts.tables import user_group_master as groups_t
from shared.adapters.accounts.tables import user_group_user_list as members_t
from shared.errors import Conflict, NotFound
from shared.records import Group, Membership, User


class GroupsStore:
    # provided by SqlAccounts
    def _tx(self, name: str, *, write: bool = True, bulk: bool = False): ...

    def create_group(self, group: Group, creator: User) -> Group:
        group = group.replace(user_count=1)
        with self._tx("create_group") as conn:
            conn.execute(groups_t.insert().values(**GROUP.row(group)))
            conn.execute(
                members_t.insert().values(**member_row(group.uuid, creator, True, group.created_on))
            )
        return group

    def get_group(self, uuid: str) -> Group:
        with self._tx("get_group", write=False) as conn:
            row = conn.execute(select(groups_t).where(groups_t.c.group_uuid == uuid)).first()
        if row is None:
            raise NotFound(f"no group {uuid}")
        return GROUP.record(row)

    def groups(self, uuids: list[str]) -> list[Group]:
        if not uuids:
            return []
        with self._tx("groups", write=False) as conn:
            rows = conn.execute(select(groups_t).where(groups_t.c.group_uuid.in_(set(uuids))))
            return [GROUP.record(row) for row in rows]

    def popular_groups(self, *, limit: int) -> list[Group]:
        query = (
            select(groups_t)
            .where(groups_t.c.group_is_active.is_(True), groups_t.c.group_is_private.is_(False))
            .order_by(groups_t.c.group_user_count.desc(), groups_t.c.group_uuid)
            .limit(limit)
        )
        with self._tx("popular_groups", write=False) as conn:
            return [GROUP.record(row) for row in conn.execute(query)]

    def delete_group(self, uuid: str, when: datetime) -> None:
        with self._tx("delete_group") as conn:
            _require_active_group(conn, uuid)
            soft_delete = update(groups_t).where(groups_t.c.group_uuid == uuid)
            conn.execute(soft_delete.values(group_is_active=False, group_deleted_on=when))

    def add_member(
        self, group_uuid: str, user: User, *, is_admin: bool, when: datetime
    ) -> Membership:
        with self._tx("add_member") as conn:
            _require_active_group(conn, group_uuid)
            rejoin = _guarded(group_uuid, user.uuid, active=False).values(
                is_active=True,
                is_admin=is_admin,
                added_on=when,
                removed_on=None,
                user_name=user.name,
            )
            if not conn.execute(rejoin).rowcount:
                if conn.execute(_member(group_uuid, user.uuid, active=True)).first():
                    raise Conflict(
                        f"{user.uuid} is already a member of {group_uuid}", field="user_uuid"
                    )
                conn.execute(
                    members_t.insert().values(**member_row(group_uuid, user, is_admin, when))
                )
            _count(conn, group_uuid, +1)
        return Membership(group_uuid, user.uuid, user.name, True, is_admin, when)

    def membership(self, group_uuid: str, user_uuid: str) -> Membership | None:
        with self._tx("membership", write=False) as conn:
            row = conn.execute(_member(group_uuid, user_uuid, active=True)).first()
        return MEMBERSHIP.record(row) if row else None

    def set_admin(self, group_uuid: str, user_uuid: str, is_admin: bool) -> Membership:
        with self._tx("set_admin") as conn:
            changed = conn.execute(
                _guarded(group_uuid, user_uuid, active=True).values(is_admin=is_admin)
            )
            _require_member(changed.rowcount, group_uuid, user_uuid)
            return MEMBERSHIP.record(
                conn.execute(_member(group_uuid, user_uuid, active=True)).one()
            )

    def remove_member(self, group_uuid: str, user_uuid: str, when: datetime) -> None:
        with self._tx("remove_member") as conn:
            leave = _guarded(group_uuid, user_uuid, active=True).values(
                is_active=False, removed_on=when
            )
            _require_member(conn.execute(leave).rowcount, group_uuid, user_uuid)
            _count(conn, group_uuid, -1)

    def members(self, group_uuid: str) -> list[Membership]:
        query = (
            select(members_t)
            .where(members_t.c.group_uuid == group_uuid, members_t.c.is_active.is_(True))
            .order_by(members_t.c.added_on, members_t.c.user_uuid)
        )
        with self._tx("members", write=False) as conn:
            return [MEMBERSHIP.record(row) for row in conn.execute(query)]

    def groups_of(self, user_uuid: str) -> list[Group]:
        query = (
            select(groups_t)
            .join(members_t, members_t.c.group_uuid == groups_t.c.group_uuid)
            .where(
                members_t.c.user_uuid == user_uuid,
                members_t.c.is_active.is_(True),
                groups_t.c.group_is_active.is_(True),
            )
            .order_by(members_t.c.added_on, groups_t.c.group_uuid)
        )
        with self._tx("groups_of", write=False) as conn:
            return [GROUP.record(row) for row in conn.execute(query)]

    def all_groups(self) -> Iterator[Group]:
        with self._tx("all_groups", write=False, bulk=True) as conn:
            found = [GROUP.record(row) for row in conn.execute(select(groups_t))]
        yield from found

    def all_memberships(self) -> Iterator[Membership]:
        with self._tx("all_memberships", write=False, bulk=True) as conn:
            found = [MEMBERSHIP.record(row) for row in conn.execute(select(members_t))]
        yield from found


def _require_active_group(conn, uuid: str) -> None:
    query = select(groups_t.c.group_is_active).where(groups_t.c.group_uuid == uuid)
    if not conn.execute(query).scalar_one_or_none():
        raise NotFound(f"no group {uuid}, or it was deleted")


def _require_member(rowcount: int, group_uuid: str, user_uuid: str) -> None:
    if not rowcount:
        raise NotFound(f"{user_uuid} is not a member of {group_uuid}")


def _member(group_uuid: str, user_uuid: str, *, active: bool):
    key = group_user_index(group_uuid, user_uuid)
    return select(members_t).where(
        members_t.c.group_user_index == key, members_t.c.is_active.is_(active)
    )


def _guarded(group_uuid: str, user_uuid: str, *, active: bool):
    """UPDATE of one membership row, only while it is (in)active: 0 rows means it is not."""
    key = group_user_index(group_uuid, user_uuid)
    return update(members_t).where(
        members_t.c.group_user_index == key, members_t.c.is_active.is_(active)
    )


def _count(conn, group_uuid: str, delta: int) -> None:
    # arithmetic in the statement: the row lock, not an earlier read, decides the new count
    count = groups_t.c.group_user_count
    moved = update(groups_t).where(groups_t.c.group_uuid == group_uuid)
    conn.execute(moved.values(group_user_count=count + delta))
