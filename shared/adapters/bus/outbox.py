"""Outbox: the records a remote log has not acknowledged yet, in a local SQLite file.

KafkaBus.publish() appends here and returns: one SQLite commit with WAL and
synchronous=FULL, so a record is on disk before the caller answers (a 201 survives a
Kafka outage of any length and a restart of the process). A `Relay` thread sends the
records to the log oldest first and deletes each once the log has acknowledged it.

Records go out in the order they were written, so one key's records reach their
partition in order. A send that fails stops the batch: what was acknowledged before it
is deleted, the rest is sent again after a backoff (tenacity), so a record may arrive
twice — consumers are idempotent by uuid — but never out of order after its last copy.

Several processes may write one file (WAL, a busy timeout); one relays it at a time: the
relay holds an exclusive lock on `<file>.lock` (fcntl.flock), released by the kernel if
its process dies, when another process's relay takes over.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_when_event_set,
    wait_exponential,
)

from shared.errors import Unavailable

log = logging.getLogger("townsquare.outbox")
BATCH = 500  # records sent per round trip
# seconds the relay sleeps when it has nothing to send and no wake-up came. A publish in this
# process wakes it at once, but one in another process writing the same file (serve's
# workers; one relays for all) cannot, so this bounds how long such a record waits: at 0.5 s
# it was most of the archival lag (B4 p50 ~360 ms). A look is one indexed SELECT.
IDLE = 0.05
LEASE_RETRY = 1.0  # seconds between attempts to become the relaying process

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key TEXT,
    value BLOB NOT NULL,
    time REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Pending:
    id: int
    topic: str
    key: str | None
    value: bytes


class Outbox:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.OperationalError as exc:  # locked past busy_timeout, disk trouble
                raise Unavailable(f"bus outbox {self.path}: {exc}") from exc

    def put(self, topic: str, key: str | None, value: bytes) -> None:
        with self._session() as db:
            db.execute(
                "INSERT INTO outbox (topic, key, value, time) VALUES (?, ?, ?, ?)",
                (topic, key, value, time.time()),
            )

    def oldest(self, limit: int = BATCH) -> list[Pending]:
        with self._session() as db:
            rows = db.execute(
                "SELECT id, topic, key, value FROM outbox ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [Pending(n, topic, key, bytes(value)) for n, topic, key, value in rows]

    def delete(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._session() as db:
            db.execute("BEGIN")
            db.executemany("DELETE FROM outbox WHERE id = ?", [(n,) for n in ids])
            db.execute("COMMIT")

    def depth(self, topics: list[str] | None = None) -> int:
        """How many records wait (on `topics` only, when given)."""
        with self._session() as db:
            if topics is None:
                return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
            marks = ",".join("?" * len(topics))
            query = f"SELECT COUNT(*) FROM outbox WHERE topic IN ({marks})"
            return db.execute(query, topics).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Relay:
    """The thread that empties an Outbox through `send(records)`, which returns the ids of
    the leading records the log acknowledged (all of them, or those before a failure)."""

    def __init__(self, outbox: Outbox, send: Callable[[list[Pending]], list[int]]) -> None:
        self.outbox = outbox
        self.send = send
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lease: int | None = None
        self._thread = threading.Thread(target=self._run, name="bus-outbox-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        retrying = Retrying(
            retry=retry_if_exception_type(Unavailable),
            wait=wait_exponential(multiplier=0.1, max=5),
            stop=stop_when_event_set(self._stop),
            sleep=self._stop.wait,
            before_sleep=lambda state: log.warning(
                "outbox: the log is unavailable (%s); %d record(s) wait",
                state.outcome.exception(),
                self.outbox.depth(),
            ),
            reraise=True,
        )
        while not self._stop.is_set():
            if not self._take_lease():
                self._stop.wait(LEASE_RETRY)
                continue
            try:
                sent = retrying(self._round)
            except Unavailable:  # stopping while the log is down: the records stay on disk
                break
            except Exception:  # a bug must not end the relay; the records stay on disk
                log.exception("outbox relay fault")
                self._stop.wait(1.0)
                continue
            if not sent:
                self._wake.wait(IDLE)
                self._wake.clear()
        self._release_lease()

    def _round(self) -> int:
        pending = self.outbox.oldest()
        if not pending:
            return 0
        acknowledged = self.send(pending)
        self.outbox.delete(acknowledged)
        if len(acknowledged) < len(pending):
            raise Unavailable(f"the log took {len(acknowledged)} of {len(pending)} records")
        return len(acknowledged)

    def _take_lease(self) -> bool:
        if self._lease is not None:
            return True
        handle = os.open(f"{self.outbox.path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another process relays this file
            os.close(handle)
            return False
        self._lease = handle
        return True

    def _release_lease(self) -> None:
        if self._lease is not None:
            os.close(self._lease)  # closing drops the flock
            self._lease = None

    def close(self, within: float = 5.0) -> bool:
        """Stop after the round in hand (waiting up to `within` seconds for it); True once
        the thread has ended (else it ends by itself after that round)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(within)
        return not self._thread.is_alive()
