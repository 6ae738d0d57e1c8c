"""Adapters: one module per backend of each port, picked by URL scheme (see shared.backends)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from shared.errors import Unavailable

MEMORY = ":memory:"


def sqlite_path(url: str) -> str:
    """The file a sqlite URL names, SQLAlchemy's way, with its folder created.

    sqlite:////abs/x.db → /abs/x.db · sqlite:///rel.db → rel.db · sqlite:///:memory: → :memory:
    (and sqlite:// → :memory:). A query string is ignored.
    """
    path = urlsplit(url).path
    # the first slash only separates the authority from the path, as SQLAlchemy reads it
    path = path[1:] if path.startswith("/") else path
    if not path or path == MEMORY:
        return MEMORY
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path


class Readers:
    """A reading connection per thread to one SQLite file in WAL mode: a read sees the last
    commit and waits neither for the writer nor for other readers. (Reads through the one
    shared connection, under its lock, queued every thread behind each other, and each
    turn of the lock waited for the interpreter lock too.)"""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 5000")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()


class LockedSqlite:
    """One SQLite connection (WAL) for writes, shared by the gateway's threads under a lock;
    reads through a connection per thread (Readers), except in memory, where there is one
    connection only.

    For the embedded stores whose writes are small and quick (search, graph): one writer
    at a time is SQLite's rule anyway, and one connection keeps FTS5 and the schema simple.
    """

    def __init__(self, path: str, schema: str, what: str, *pragmas: str) -> None:
        self.path, self.what = path, what
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode = WAL", *pragmas):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(schema)
        self._readers = None if path == MEMORY else Readers(path)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a read transaction (one snapshot for all its queries)."""
        if self._readers is None:
            with self.transaction() as db:
                yield db
            return
        db = self._readers.connection()
        try:
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.rollback()  # nothing to keep: ends the read snapshot
        except sqlite3.OperationalError as error:
            raise Unavailable(f"{self.what} {self.path}: {error}") from error

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection, alone, inside a transaction (committed unless an error escapes);
        SQLite's operational errors (locked, I/O) become Unavailable."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                try:
                    yield self._db
                except BaseException:
                    self._db.rollback()
                    raise
                self._db.commit()
            except sqlite3.OperationalError as error:
                raise Unavailable(f"{self.what} {self.path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._readers is not None:
            self._readers.close()
