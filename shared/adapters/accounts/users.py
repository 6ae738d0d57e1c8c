"""user_master: the users half of SqlAccounts (a mixin over its named transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import delete, func, select, update

from shared.adapters.accounts.rows import USER
from shared.adapters.accounts.tables import follow_request as requests_t
from shared.adapters.accounts.tables import user_group_user_list as members_t
from shared.adapters.accounts.tables import user_master as users_t
from shared.errors import NotFound
from shared.records import User


class UsersStore:
    # provided by SqlAccounts
    def _tx(self, name: str, *, write: bool = True, bulk: bool = False): ...

    def create_user(self, user: User, password_hash: str) -> User:
        user = user.replace(email=user.email.lower())
        with self._tx("create_user") as conn:
            conn.execute(
                users_t.insert().values(**USER.row(user), user_password_hashed=password_hash)
            )
        return user

    def get_user(self, uuid: str) -> User:
        with self._tx("get_user", write=False) as conn:
            row = conn.execute(_by_uuid(uuid)).first()
        if row is None:
            raise NotFound(f"no user {uuid}")
        return USER.record(row)

    def find_user_by_email(self, email: str) -> User | None:
        query = select(users_t).where(users_t.c.user_email == email.lower())
        with self._tx("find_user_by_email", write=False) as conn:
            row = conn.execute(query).first()
        return USER.record(row) if row else None

    def users(self, uuids: list[str]) -> list[User]:
        if not uuids:
            return []
        with self._tx("users", write=False) as conn:
            rows = conn.execute(select(users_t).where(users_t.c.user_uuid.in_(set(uuids))))
            return [USER.record(row) for row in rows]

    def all_users(self) -> Iterator[User]:
        with self._tx("all_users", write=False, bulk=True) as conn:
            found = [USER.record(row) for row in conn.execute(select(users_t))]
        yield from found

    def password_hash(self, uuid: str) -> str:
        query = select(users_t.c.user_password_hashed).where(users_t.c.user_uuid == uuid)
        with self._tx("password_hash", write=False) as conn:
            found = conn.execute(query).scalar_one_or_none()
        if found is None:
            raise NotFound(f"no user {uuid}")
        return found

    def set_password_hash(self, uuid: str, password_hash: str) -> None:
        with self._tx("set_password_hash") as conn:
            _change(conn, uuid, user_password_hashed=password_hash)

    def update_user(
        self,
        uuid: str,
        *,
        name: str | None = None,
        phone: str | None = None,
        is_private: bool | None = None,
    ) -> User:
        changes = {"user_name": name, "user_phone": phone, "user_is_private": is_private}
        changes = {column: value for column, value in changes.items() if value is not None}
        with self._tx("update_user") as conn:
            if changes:
                _change(conn, uuid, **changes)
            if name is not None:  # the seed keeps a copy of the name on each membership
                rename = (
                    update(members_t).where(members_t.c.user_uuid == uuid).values(user_name=name)
                )
                conn.execute(rename)
            row = conn.execute(_by_uuid(uuid)).first()
        if row is None:
            raise NotFound(f"no user {uuid}")
        return USER.record(row)

    def record_login(self, uuid: str, when: datetime) -> None:
        with self._tx("record_login") as conn:
            _change(conn, uuid, user_last_logged_in=when)

    def set_operator(self, uuid: str, is_operator: bool) -> User:
        with self._tx("set_operator") as conn:
            _change(conn, uuid, user_is_operator=is_operator)
            return USER.record(conn.execute(_by_uuid(uuid)).one())

    def operators(self) -> list[User]:
        query = select(users_t).where(users_t.c.user_is_operator.is_(True))
        with self._tx("operators", write=False) as conn:
            return [USER.record(row) for row in conn.execute(query)]

    def request_follow(self, follower: str, followee: str, when: datetime) -> None:
        pair = (requests_t.c.follower_uuid == follower) & (requests_t.c.followee_uuid == followee)
        with self._tx("request_follow") as conn:
            if conn.execute(select(requests_t.c.requested_on).where(pair)).first() is None:
                row = {"follower_uuid": follower, "followee_uuid": followee, "requested_on": when}
                conn.execute(requests_t.insert().values(**row))

    def follow_requests(self, followee: str) -> list[tuple[str, datetime]]:
        query = (
            select(requests_t.c.follower_uuid, requests_t.c.requested_on)
            .where(requests_t.c.followee_uuid == followee)
            .order_by(requests_t.c.requested_on, requests_t.c.follower_uuid)
        )
        with self._tx("follow_requests", write=False) as conn:
            return [(row.follower_uuid, row.requested_on) for row in conn.execute(query)]

    def drop_follow_request(self, follower: str, followee: str) -> bool:
        pair = (requests_t.c.follower_uuid == follower) & (requests_t.c.followee_uuid == followee)
        with self._tx("drop_follow_request") as conn:
            return bool(conn.execute(delete(requests_t).where(pair)).rowcount)

    def count_users(self) -> int:
        with self._tx("count_users", write=False) as conn:
            return conn.execute(select(func.count()).select_from(users_t)).scalar_one()


def _by_uuid(uuid: str):
    return select(users_t).where(users_t.c.user_uuid == uuid)


def _change(conn, uuid: str, **values) -> None:
    changed = conn.execute(update(users_t).where(users_t.c.user_uuid == uuid).values(**values))
    if not changed.rowcount:
        raise NotFound(f"no user {uuid}")
