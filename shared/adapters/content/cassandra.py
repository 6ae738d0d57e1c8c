"""Content on Cassandra: the tables of schema.py, each designed by the query it answers.

URL: ``cassandra://host[,host2...][:port]/keyspace?consistency=LOCAL_ONE&replication=1``
(port 9042 by default). The keyspace (SimpleStrategy, `replication` copies, 1 by default)
and its tables are created when missing, once per keyspace per process.
`consistency` is any ConsistencyLevel name; LOCAL_ONE by default, right for a local
single node; use LOCAL_QUORUM on a real cluster. LWTs run at LOCAL_SERIAL.

Features: prepared statements for every query; a post is copied into post_master,
posts_by_author and posts_by_group in one logged batch; counts live in the
post_counters counter table and move only when a comment/reaction/share row is
written by a lightweight transaction (INSERT ... IF NOT EXISTS / DELETE ... IF
EXISTS), so a retried write never double-counts. Connects on first use.
Limits: a counter bump lost between the LWT and the counter write (a crash) leaves the
count one short, never one over; device_logs is one partition per device.
NoHostAvailable, timeouts and Unavailable answers → shared.errors.Unavailable.
"""

from __future__ import annotations

import json
import threading
import uuid as _uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import UTC
from urllib.parse import parse_qs, urlsplit

import cassandra
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable
from cassandra.connection import ConnectionException
from cassandra.query import UNSET_VALUE, BatchStatement, BatchType, dict_factory

from shared.backends import DEFAULT_TIMEOUT
from shared.errors import Unavailable
from shared.records import Message

from . import rows
from .schema import COUNTS, TABLES, Table
from .tables import TableContent, conditions

ARCHIVE_CONCURRENCY = 16  # messages archive_messages() writes at once
CQL_TYPES = {
    "time": "timestamp",
    "bool": "boolean",
    "int": "bigint",
    "uuids": "list<uuid>",
    "json": "text",
}
DOWN = (
    NoHostAvailable,
    ConnectionException,
    cassandra.OperationTimedOut,
    cassandra.Unavailable,
    cassandra.Timeout,  # ReadTimeout, WriteTimeout
    cassandra.CoordinationFailure,  # ReadFailure, WriteFailure
)
SCHEMA_TIMEOUT = 30.0  # seconds a CREATE may take (once per process): schema changes are slow
_schema_ready: set[tuple] = set()  # (hosts, port, keyspace) whose tables this process made
_schema_lock = threading.Lock()


def encode(kind: str, value, column: str):
    if value is None or (kind == "uuids" and not value):
        return UNSET_VALUE  # never write a null: it would only leave a tombstone
    if kind == "uuid":
        return _uuid.UUID(value)
    if kind == "uuids":
        return [_uuid.UUID(v) for v in value]
    if kind == "json":
        return rows.json_text(value, column)
    return value


def decode(kind: str, value):
    if kind == "uuids":
        return [str(v) for v in value or ()]
    if kind == "json":
        return json.loads(value) if value else {}
    if value is None:
        return None
    if kind == "uuid":
        return str(value)
    if kind == "time":
        return value.replace(tzinfo=UTC)  # the driver hands back naive UTC
    return value


def create_table(keyspace: str, table: Table) -> str:
    columns = [f"{name} {CQL_TYPES.get(kind, kind)}" for name, kind in table.columns.items()]
    key = ", ".join((f"({', '.join(table.partition)})", *(c for c, _ in table.clustering)))
    cql = f"CREATE TABLE IF NOT EXISTS {keyspace}.{table.name} ({', '.join(columns)}, PRIMARY KEY ({key}))"
    if table.clustering:
        cql += f" WITH CLUSTERING ORDER BY ({', '.join(f'{c} {o}' for c, o in table.clustering)})"
    return cql


@contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except DOWN as exc:
        raise Unavailable(f"content store (cassandra): {type(exc).__name__}: {exc}") from exc


class CassandraContent(TableContent):
    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> CassandraContent:
        parts = urlsplit(url)
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        level = options.get("consistency", "LOCAL_ONE").upper()
        if level not in cassandra.ConsistencyLevel.name_to_value:
            names = ", ".join(cassandra.ConsistencyLevel.name_to_value)
            raise ValueError(f"cassandra URL: unknown consistency {level!r}; one of {names}")
        return cls(
            hosts=(parts.hostname or "127.0.0.1").split(","),
            port=parts.port or 9042,
            keyspace=parts.path.strip("/") or "townsquare",
            consistency=cassandra.ConsistencyLevel.name_to_value[level],
            replication=int(options.get("replication", "1")),
            timeout=timeout,
        )

    def __init__(
        self, *, hosts, port, keyspace, consistency, replication, timeout=DEFAULT_TIMEOUT
    ) -> None:
        self.hosts, self.port, self.keyspace = list(hosts), port, keyspace
        self._consistency, self._replication = consistency, replication
        self._timeout = timeout
        self._cluster: Cluster | None = None
        self._session = None
        self._prepared: dict[str, object] = {}
        self._lock = threading.Lock()
        self._archivers: ThreadPoolExecutor | None = None

    # -- connecting ----------------------------------------------------------------------
    def _db(self):
        with self._lock:
            if self._session is None:
                self._session = self._connect()
        return self._session

    def _connect(self):
        profile = ExecutionProfile(
            consistency_level=self._consistency,
            serial_consistency_level=cassandra.ConsistencyLevel.LOCAL_SERIAL,
            row_factory=dict_factory,
            request_timeout=self._timeout,
        )
        cluster = Cluster(
            self.hosts,
            port=self.port,
            execution_profiles={EXEC_PROFILE_DEFAULT: profile},
            connect_timeout=self._timeout,
            control_connection_timeout=self._timeout,
        )
        try:
            with translated():
                session = cluster.connect()
                self._ensure_schema(session)
                session.set_keyspace(self.keyspace)
        except BaseException:
            cluster.shutdown()
            raise
        self._cluster = cluster
        return session

    def _ensure_schema(self, session) -> None:
        with _schema_lock:
            marker = (tuple(self.hosts), self.port, self.keyspace)
            if marker in _schema_ready:
                return
            session.execute(
                f"CREATE KEYSPACE IF NOT EXISTS {self.keyspace} WITH replication = "
                f"{{'class': 'SimpleStrategy', 'replication_factor': {self._replication}}}",
                timeout=SCHEMA_TIMEOUT,
            )
            for table in TABLES.values():
                session.execute(create_table(self.keyspace, table), timeout=SCHEMA_TIMEOUT)
            session.cluster.control_connection.wait_for_schema_agreement()
            _schema_ready.add(marker)

    def _statement(self, cql: str):
        """The prepared statement for `cql`, prepared once per adapter."""
        statement = self._prepared.get(cql)
        if statement is None:
            with translated():
                statement = self._prepared[cql] = self._db().prepare(cql)
        return statement

    def _run(self, cql: str, params=()):
        statement = self._statement(cql)
        with translated():
            return self._db().execute(statement, params)

    # -- the primitives ------------------------------------------------------------------
    def _insert(self, table: str, row: dict, if_absent: bool) -> tuple[str, list]:
        columns = TABLES[table].columns
        cql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        params = [encode(kind, row[column], column) for column, kind in columns.items()]
        return cql + (" IF NOT EXISTS" if if_absent else ""), params

    def _write(self, table: str, row: dict, *, if_absent: bool = False) -> bool:
        result = self._run(*self._insert(table, row, if_absent))
        return result.was_applied if if_absent else True

    def _write_all(self, writes: list[tuple[str, dict]]) -> None:
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        for table, row in writes:
            cql, params = self._insert(table, row, False)
            batch.add(self._statement(cql), params)
        with translated():
            self._db().execute(batch)

    def _select(self, spec: Table, equal: dict, bounds: list, limit: int | None) -> list[dict]:
        where, params = conditions(spec, equal, bounds, encode)
        cql = f"SELECT * FROM {spec.name} WHERE {where}"
        if limit:
            cql += " LIMIT ?"
            params.append(int(limit))
        found = self._run(cql, params)
        return [{c: decode(k, row.get(c)) for c, k in spec.columns.items()} for row in found]

    def _every(self, table: str) -> Iterator[dict]:
        spec = TABLES[table]
        found = self._run(f"SELECT * FROM {spec.name}")
        with translated():  # the driver fetches the next page as we iterate
            for row in found:
                yield {c: decode(k, row.get(c)) for c, k in spec.columns.items()}

    def _remove(self, table: str, key: dict) -> bool:
        where, params = conditions(TABLES[table], key, [], encode)
        return self._run(f"DELETE FROM {table} WHERE {where} IF EXISTS", params).was_applied

    def _bump(self, post_uuid: str, column: str, delta: int) -> None:
        assert column in COUNTS
        cql = f"UPDATE post_counters SET {column} = {column} + ? WHERE post_uuid = ?"
        self._run(cql, (delta, _uuid.UUID(post_uuid)))

    def _counts(self, post_uuids: list[str]) -> dict[str, dict]:
        keys = [_uuid.UUID(u) for u in post_uuids]
        found = self._run("SELECT * FROM post_counters WHERE post_uuid IN ?", (keys,))
        return {str(row["post_uuid"]): {c: row[c] or 0 for c in COUNTS} for row in found}

    def _unit(self):
        return nullcontext()  # no transactions: each step above is safe to retry on its own

    # -- lifecycle -----------------------------------------------------------------------
    def archive_messages(self, messages: list[Message]) -> None:
        """Each message's round trips (insert-if-absent, then the archive row) run
        ARCHIVE_CONCURRENCY at a time on the driver's one session (thread-safe)."""
        with self._lock:
            if self._archivers is None:
                self._archivers = ThreadPoolExecutor(ARCHIVE_CONCURRENCY, "cassandra-archive")
        list(self._archivers.map(self.archive_message, messages))  # raises the first failure

    def health(self) -> None:
        self._run("SELECT release_version FROM system.local")

    def close(self) -> None:
        with self._lock:
            if self._archivers is not None:
                self._archivers.shutdown()
            self._archivers = None
            if self._cluster is not None:
                self._cluster.shutdown()
            self._cluster = self._session = None
            self._prepared.clear()
