"""The accounts store's plumbing: URL → engine, dialect capabilities, migrations,
and named transactions.

Dialect differences live here, as capability flags (synapse's `supports_returning`
idea), so that sql.py reads the same on SQLite and PostgreSQL:
  - `upsert_insert`: the dialect's insert() that has on_conflict_do_update;
  - `write_begin`: how a writing transaction starts. SQLite takes the write lock at
    BEGIN IMMEDIATE, so a read-then-write transaction waits for the lock (busy
    timeout) instead of failing with SQLITE_BUSY half-way; psycopg begins by itself;
  - `migration_lock`: SQL that serialises concurrent start-ups running migrations.

PostgreSQL calls are bounded by the adapter's timeout (Settings.accounts_timeout, half a
second), so that a frozen server costs a request under a second:
  - every statement has that statement_timeout; psycopg itself would wait for a frozen
    server without end, so every wait for the server also ends on the client side
    (bounded_connection(), CLIENT_MARGIN past the statement_timeout): the connection is
    dropped and the pool replaces it;
  - a connect ends after the timeout too (psycopg, like libpq, counts whole seconds and
    two at least: _connect_within());
  - the pool checks a connection it hands out again (pre-ping, so a restarted server costs
    a reconnect, not an error) within PING_BOUND: a SELECT 1 answers in microseconds;
  - whole-table reads for workflows and migrations (which may wait for another process's
    migration) run under BULK_TIMEOUT instead (`transaction(bulk=...)`).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool

from shared.adapters import MEMORY, sqlite_path
from shared.errors import Busy, Conflict, Invalid, NotFound, TownsquareError, Unavailable

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "accounts_alembic_version"
SQLITE_BUSY_SECONDS = 10
SQLITE_POOL = 48  # connections kept: one per HTTP thread (32) and event consumer
WRITE = "townsquare_write"  # execution option: does this transaction write?
# the client waits the statement_timeout × (1 + CLIENT_MARGIN): the server's answer first
CLIENT_MARGIN = 0.5
PING_BOUND = 0.2  # seconds the pool's check of a pooled connection may take
BULK_TIMEOUT = 60.0  # seconds: whole-table reads for workflows, migrations
CONNECTORS = 4  # connects in flight per process (threads; a frozen server holds each ≤ 2 s)
# PostgreSQL connections kept per process: its HTTP threads (8) and event consumers (13) at
# once, without opening and closing one per call (SQLAlchemy's 5 + 10 overflow churned)
POSTGRESQL_POOL, POSTGRESQL_OVERFLOW = 24, 8


@dataclass(frozen=True)
class Capabilities:
    name: str
    upsert_insert: Callable
    write_begin: str
    migration_lock: str | None
    bulk_bound: str | None = None  # SQL: this transaction's statements may take BULK_TIMEOUT


SQLITE = Capabilities("sqlite", sqlite.insert, "BEGIN IMMEDIATE", None)
POSTGRESQL = Capabilities(
    "postgresql",
    postgresql.insert,
    "BEGIN",
    # any fixed key: only accounts migrations take it, and only for their transaction
    "SELECT pg_advisory_xact_lock(727374)",
    f"SET LOCAL statement_timeout = {int(BULK_TIMEOUT * 1000)}",
)


def open_engine(url: str, timeout: float) -> tuple[Engine, Capabilities]:
    scheme = url.split(":", 1)[0].split("+")[0]
    if scheme == "sqlite":
        return _sqlite_engine(url), SQLITE
    if scheme in ("postgresql", "postgres"):
        return _postgresql_engine(url, timeout), POSTGRESQL
    raise Invalid(f"accounts: unsupported URL scheme {scheme!r}", field="accounts_url")


@functools.cache
def bounded_connection() -> type:
    """psycopg's Connection whose every wait for the server ends after `wait_bound` seconds
    (psycopg waits without end by default): then the connection is dropped (SQLAlchemy sees
    it broken and discards it) and the call fails with OperationalError. Built on first use:
    psycopg is an optional extra."""
    import psycopg

    class BoundedConnection(psycopg.Connection):
        wait_bound: float | None = None

        def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
            try:
                return super().wait(gen, interval=interval, timeout=timeout or self.wait_bound)
            except psycopg.OperationalError as exc:
                if type(exc).__name__ != "_WaitTimeout":  # psycopg's own, internal, name
                    raise
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"no answer from the server within {self.wait_bound} s"
                ) from exc

    return BoundedConnection


def _postgresql_engine(url: str, timeout: float) -> Engine:
    rest = url.split("://", 1)[1]
    engine = create_engine(
        f"postgresql+psycopg://{rest}",
        pool_pre_ping=True,  # a restarted server costs one reconnect, not an error
        pool_size=POSTGRESQL_POOL,
        max_overflow=POSTGRESQL_OVERFLOW,
        pool_timeout=timeout,
        connect_args={"options": f"-c statement_timeout={max(1, round(timeout * 1000))}"},
    )
    bound = timeout * (1 + CLIENT_MARGIN)

    @event.listens_for(engine, "do_connect")
    def _bounded(dialect, record, cargs, cparams):
        connection = _connect_within(timeout, cargs, cparams)
        connection.wait_bound = bound
        return connection

    @event.listens_for(engine, "checkin")
    def _to_ping(dbapi_connection, record):
        if dbapi_connection is not None:  # the next checkout's pre-ping
            dbapi_connection.wait_bound = PING_BOUND

    @event.listens_for(engine, "checkout")
    def _to_work(dbapi_connection, record, proxy):  # after the pre-ping
        dbapi_connection.wait_bound = bound

    return engine


_connecting = ThreadPoolExecutor(CONNECTORS, thread_name_prefix="accounts-connect")


def _connect_within(seconds: float, cargs, cparams):
    """A new psycopg connection, or OperationalError after `seconds`. An abandoned attempt
    ends in its thread at psycopg's own bound (2 s), and its connection, if it comes, is
    closed."""
    import psycopg

    attempt = _connecting.submit(bounded_connection().connect, *cargs, **cparams)
    try:
        return attempt.result(timeout=seconds)
    except FutureTimeout:
        if not attempt.cancel():
            attempt.add_done_callback(_close_late)
        raise psycopg.OperationalError(f"no connection within {seconds} s") from None


def _close_late(attempt: Future) -> None:
    if not attempt.cancelled() and attempt.exception() is None:
        attempt.result().close()


def _sqlite_engine(url: str) -> Engine:
    path = sqlite_path(url)
    options: dict = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}}
    if path == MEMORY:
        options["poolclass"] = StaticPool  # one shared in-memory database, not one per thread
    else:  # SQLAlchemy's default (5 kept) made busy threads wait, or open and close one each
        options |= {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL}
    engine = create_engine(f"sqlite:///{path}", **options)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:
    # we emit BEGIN ourselves (see _sqlite_begin): pysqlite's implicit BEGIN is deferred
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe under WAL; fsync at checkpoints
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    writes = conn.get_execution_options().get(WRITE, True)
    conn.exec_driver_sql(SQLITE.write_begin if writes else "BEGIN")


def migrate(engine: Engine, caps: Capabilities) -> None:
    """Bring the schema to the newest revision (Alembic, in one transaction)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with transaction(engine, "migrate", bulk=caps.bulk_bound) as conn:
        if caps.migration_lock:
            conn.exec_driver_sql(caps.migration_lock)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def transaction(
    engine: Engine, name: str, *, write: bool = True, bulk: str | None = None
) -> Iterator[Connection]:
    """One named transaction (synapse's runInteraction): logged with its duration,
    driver errors turned into the port's errors. `bulk`: the dialect's SQL lifting the
    statements' bound to BULK_TIMEOUT (Capabilities.bulk_bound), for whole-table work."""
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execution_options(**{WRITE: write})
            with conn.begin(), _bulk(conn, bulk):
                yield conn
    except IntegrityError as exc:
        raise _integrity_error(name, exc) from exc
    except DataError as exc:
        raise Invalid(f"{name}: a value is too long or malformed") from exc
    except PoolTimeout as exc:  # every connection in use: this process's capacity, not an outage
        raise Busy(f"accounts: all connections busy during {name}; retry shortly") from exc
    except (OperationalError, InterfaceError) as exc:
        raise Unavailable(f"accounts database unavailable during {name}: {_reason(exc)}") from exc
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("accounts.%s took %.1f ms", name, elapsed)


@contextmanager
def _bulk(conn: Connection, sql: str | None) -> Iterator[None]:
    if not sql:
        yield
        return
    conn.exec_driver_sql(sql)
    driver = conn.connection.dbapi_connection
    usual, driver.wait_bound = driver.wait_bound, BULK_TIMEOUT * (1 + CLIENT_MARGIN)
    try:
        yield
    finally:
        driver.wait_bound = usual


def _integrity_error(name: str, exc: IntegrityError) -> TownsquareError:
    text = str(exc.orig).lower()
    if "foreign key" in text:
        return NotFound(f"{name}: the user or group it refers to does not exist")
    if "user_email" in text:
        return Conflict("that email is already registered", field="email")
    return Conflict(f"{name}: that uuid already exists", field="uuid")


def _reason(exc: DBAPIError) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
