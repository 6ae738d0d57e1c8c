"""SqlAccounts: the accounts port on SQLAlchemy Core — SQLite embedded, PostgreSQL real.

URLs:  sqlite:////abs/accounts.db · sqlite:///relative.db · sqlite:///:memory:
       postgresql://user:password@host:port/db (postgres:// too; driven by psycopg 3)

Split by concern like synapse's stores: users.py (user_master), groups.py (groups and
membership), and here the service groups plus opening and closing. Each method is one
named transaction (engine.transaction), logged with its duration at DEBUG. Alembic
brings the schema up to date when the adapter opens, so from_url connects at once
(Unavailable if the server is down). Dialect differences stay in engine.py.
Limits: sqlite:///:memory: is one connection shared by every thread (tests only).
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from shared.adapters.accounts.engine import migrate, open_engine, transaction
from shared.adapters.accounts.groups import GroupsStore
from shared.adapters.accounts.rows import SERVICE
from shared.adapters.accounts.tables import TOWNSQUARE_APP_UUID
from shared.adapters.accounts.tables import app_service_groups_master as services_t
from shared.adapters.accounts.tables import application_master as apps_t
from shared.adapters.accounts.users import UsersStore
from shared.backends import DEFAULT_TIMEOUT
from shared.records import Service


class SqlAccounts(UsersStore, GroupsStore):
    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.engine, self.caps = open_engine(url, timeout)
        try:
            migrate(self.engine, self.caps)
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> SqlAccounts:
        return cls(url, timeout=timeout)  # bounds PostgreSQL; SQLite keeps its busy timeout

    def _tx(self, name: str, *, write: bool = True, bulk: bool = False):
        """A named transaction; `bulk` for whole-table reads (engine.BULK_TIMEOUT)."""
        return transaction(
            self.engine, name, write=write, bulk=self.caps.bulk_bound if bulk else None
        )

    def register_service(self, service: Service) -> None:
        row = SERVICE.row(service)
        insert = self.caps.upsert_insert(services_t).values(**row)
        upsert = insert.on_conflict_do_update(
            index_elements=[services_t.c.service_uuid],
            set_={column: insert.excluded[column] for column in row if column != "service_uuid"},
        )
        # application_master.app_pods_count: every pod of every service group
        pods = select(func.coalesce(func.sum(services_t.c.service_pods_count), 0)).scalar_subquery()
        total = update(apps_t).where(apps_t.c.app_uuid == TOWNSQUARE_APP_UUID)
        with self._tx("register_service") as conn:
            conn.execute(upsert)
            conn.execute(total.values(app_pods_count=pods))

    def services(self) -> list[Service]:
        query = select(services_t).order_by(services_t.c.service_name, services_t.c.service_uuid)
        with self._tx("services", write=False) as conn:
            return [SERVICE.record(row) for row in conn.execute(query)]

    def app_pods_count(self) -> int:
        """application_master's total for Townsquare (not in the port; for operators and tests)."""
        query = select(apps_t.c.app_pods_count).where(apps_t.c.app_uuid == TOWNSQUARE_APP_UUID)
        with self._tx("app_pods_count", write=False) as conn:
            return conn.execute(query).scalar_one()

    def health(self) -> None:
        with self._tx("health", write=False) as conn:
            conn.execute(select(1))

    def close(self) -> None:
        self.engine.dispose()
