"""Content on SQLite (the embedded default): the tables of schema.py, one file.

URL: ``sqlite:////abs/path/content.db`` (or ``sqlite:///relative.db``; ``sqlite:///:memory:``
keeps everything in one connection for the life of the adapter).

Features: WAL, a busy timeout, a small pool of connections shared by the gateway's
threads (one connection per call, held for a whole transaction); counts kept in
post_counters inside the same transaction as the row that changes them.
Times are stored as integer milliseconds since the epoch (what Cassandra keeps).
Limits: one writer at a time (SQLite); "database is locked" and I/O errors → Unavailable.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from shared.adapters import MEMORY, sqlite_path
from shared.errors import Unavailable

from . import rows
from .schema import COUNTS, TABLES, Table
from .tables import TableContent, conditions, in_clustering_order

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)
SQL_TYPES = {
    "counter": "INTEGER NOT NULL DEFAULT 0",
    "int": "INTEGER",
    "bool": "INTEGER",
    "time": "INTEGER",
}
POOL_SIZE = 16
SCAN_MANY_CHUNK = 200  # partitions one UNION ALL statement reads (SQLite allows 500 terms)
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another before giving up (→ Unavailable)


def encode(kind: str, value, column: str):
    if value is None:
        return None
    if kind == "time":
        return (value - EPOCH) // MILLISECOND
    if kind == "bool":
        return int(value)
    if kind == "uuids":
        return json.dumps(list(value))
    if kind == "json":
        return rows.json_text(value, column)
    return value


def decoded(spec: Table, found: list[sqlite3.Row]) -> list[dict]:
    return [{c: decode(spec.columns[c], row[c]) for c in spec.columns} for row in found]


def decode(kind: str, value):
    if kind == "time":
        return None if value is None else EPOCH + value * MILLISECOND
    if kind == "bool":
        return None if value is None else bool(value)
    if kind == "uuids":
        return json.loads(value) if value else []
    if kind == "json":
        return json.loads(value) if value else {}
    return value


def create_table(table: Table) -> str:
    columns = [f"{name} {SQL_TYPES.get(kind, 'TEXT')}" for name, kind in table.columns.items()]
    key = list(table.partition) + [f"{column} {order}" for column, order in table.clustering]
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name} "
        f"({', '.join(columns)}, PRIMARY KEY ({', '.join(key)})) WITHOUT ROWID"
    )


@contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:  # locked, busy, disk I/O, cannot open
        raise Unavailable(f"content store (sqlite): {exc}") from exc


class SqliteContent(TableContent):
    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> SqliteContent:
        # embedded: no network; it waits only for its own file locks (its busy timeout)
        return cls(sqlite_path(url))

    def __init__(self, path: str) -> None:
        self.path = path
        self._memory = path == MEMORY
        self._slots = threading.BoundedSemaphore(1 if self._memory else POOL_SIZE)
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._opened: list[sqlite3.Connection] = []
        self._held = threading.local()  # the connection this thread is using, if any
        with self._unit():
            for table in TABLES.values():
                self._execute(create_table(table))

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        with translated():
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            if not self._memory:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
        self._opened.append(conn)
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        held = getattr(self._held, "conn", None)
        if held is not None:  # inside this thread's transaction
            yield held
            return
        with self._slots:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect()
            self._held.conn = conn
            try:
                yield conn
            finally:
                self._held.conn = None
                self._idle.put(conn)

    @contextmanager
    def _unit(self) -> Iterator[None]:
        with self._connection() as conn:
            if conn.in_transaction:
                yield
                return
            with translated():
                conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlock
            try:
                yield
            except BaseException:
                conn.rollback()
                raise
            with translated():
                conn.commit()

    def _execute(self, sql: str, params=()) -> tuple[int, list[sqlite3.Row]]:
        with self._connection() as conn, translated():
            cursor = conn.execute(sql, params)
            return cursor.rowcount, cursor.fetchall()

    # -- the primitives ------------------------------------------------------------------
    def _write(self, table: str, row: dict, *, if_absent: bool = False) -> bool:
        columns = TABLES[table].columns
        verb = "INSERT OR IGNORE" if if_absent else "INSERT OR REPLACE"
        sql = f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        written, _ = self._execute(sql, [encode(k, row[c], c) for c, k in columns.items()])
        return written > 0

    def _write_all(self, writes: list[tuple[str, dict]]) -> None:
        with self._unit():
            for table, row in writes:
                self._write(table, row)

    def _select(self, spec: Table, equal: dict, bounds: list, limit: int | None) -> list[dict]:
        where, params = conditions(spec, equal, bounds, encode)
        order = ", ".join(f"{column} {direction}" for column, direction in spec.clustering)
        sql = f"SELECT * FROM {spec.name} WHERE {where}"
        sql += f" ORDER BY {order}" if order else ""
        sql += f" LIMIT {int(limit)}" if limit else ""
        _, found = self._execute(sql, params)
        return decoded(spec, found)

    def _scan_many(
        self, table: str, column: str, values: list[str], *, before: datetime | None, limit: int
    ) -> list[dict]:
        # one statement: each partition's own first `limit` rows (index order), merged
        spec = TABLES[table]
        order = ", ".join(f"{name} {direction}" for name, direction in spec.clustering)
        where = f"{column} = ?" + (f" AND {spec.time_column} < ?" if before is not None else "")
        one = f"SELECT * FROM (SELECT * FROM {spec.name} WHERE {where} ORDER BY {order} LIMIT ?)"
        found: list[dict] = []
        for start in range(0, len(values), SCAN_MANY_CHUNK):
            chunk = values[start : start + SCAN_MANY_CHUNK]
            params: list = []
            for value in chunk:
                params.append(encode(spec.columns[column], value, column))
                params += [encode("time", before, "before")] if before is not None else []
                params.append(int(limit))
            sql = " UNION ALL ".join([one] * len(chunk)) + f" ORDER BY {order} LIMIT {int(limit)}"
            _, rows_found = self._execute(sql, params)
            found += decoded(spec, rows_found)
        return in_clustering_order(spec, found)[:limit]

    def _every(self, table: str) -> Iterator[dict]:
        spec = TABLES[table]
        _, found = self._execute(f"SELECT * FROM {spec.name}")
        return iter(decoded(spec, found))

    def _remove(self, table: str, key: dict) -> bool:
        where, params = conditions(TABLES[table], key, [], encode)
        removed, _ = self._execute(f"DELETE FROM {table} WHERE {where}", params)
        return removed > 0

    def _bump(self, post_uuid: str, column: str, delta: int) -> None:
        assert column in COUNTS
        self._execute(
            f"INSERT INTO post_counters (post_uuid, {column}) VALUES (?, ?) "
            f"ON CONFLICT (post_uuid) DO UPDATE SET {column} = {column} + excluded.{column}",
            (post_uuid, delta),
        )

    def _counts(self, post_uuids: list[str]) -> dict[str, dict]:
        marks = ", ".join("?" * len(post_uuids))
        _, found = self._execute(
            f"SELECT * FROM post_counters WHERE post_uuid IN ({marks})", post_uuids
        )
        return {row["post_uuid"]: {c: row[c] for c in COUNTS} for row in found}

    # -- lifecycle -----------------------------------------------------------------------
    def health(self) -> None:
        self._execute("SELECT 1")

    def close(self) -> None:
        for conn in self._opened:
            conn.close()
        self._opened.clear()
