"""SqliteBus: the bus port as an append-only log in one SQLite file — the embedded backend.

URL: ``sqlite:///relative/bus.db``, ``sqlite:////absolute/bus.db``.

Kafka's model, scaled down: every topic has PARTITIONS partitions; a record goes to the
partition its key hashes to (keyless records take turns), and gets the next offset there,
so one key's records stay in order. A consumer group's progress is one committed offset
per (group, topic, partition) — the next offset to process. A consumer starts at its
group's committed offsets and then keeps its own position in memory, so repeated polls do
not hand out the same records again, while a new consumer of the group (after a crash)
gets whatever was not committed: at-least-once.

Durable: WAL with synchronous=FULL, a record is on disk when publish() returns; records
sent meanwhile by other threads share its transaction and fsync (group commit). A committed
offset is written without waiting for the disk (synchronous=NORMAL: it survives a crash of
the process, not of the machine, where a group may be handed again what it had
committed — at-least-once still holds). Safe for threads and for processes sharing the
file: writes go through one connection, serialised by a lock; each thread reads through a
connection of its own, so the consumers' polls (one group per function, each reading
every record) never queue behind a send nor behind each other (WAL: readers see the last
commit and do not block the writer).
Limits: the members of one group do not split the partitions between them (each reads
all of them — run one member per group); the log is never pruned.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cloudevents.http import CloudEvent

from shared.adapters import Readers, sqlite_path
from shared.adapters.bus import to_delivery
from shared.errors import Unavailable
from shared.events import encode
from shared.ports.bus import EVENTS, Delivery

PARTITIONS = 4
HISTORY_PAGE = 1000  # records history() reads at a time
POLL_INTERVAL = 0.05  # seconds between looks at the log while a poll waits

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    topic TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    key TEXT,
    value BLOB NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (topic, "partition", "offset")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS committed_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, "partition")
) WITHOUT ROWID;
"""


class SqliteBus:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._turns = itertools.count()
        self._readers = Readers(path)
        self._queue_lock = threading.Lock()
        self._queue: list[_Append] = []  # records waiting for the next group commit

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> SqliteBus:
        # embedded: no network; it waits only for its own file locks (its busy timeout)
        return cls(sqlite_path(url))

    @contextmanager
    def _session(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """The writing connection under the lock, inside a transaction."""
        with self._lock, self._transaction(durable) as db:
            yield db

    @contextmanager
    def _transaction(self, durable: bool) -> Iterator[sqlite3.Connection]:
        """The writing connection (the caller holds the lock) inside a transaction; one that
        need not wait for the disk (`durable=False`) commits with synchronous=NORMAL."""
        with _outage(self.path):
            try:
                if not durable:
                    self._db.execute("PRAGMA synchronous=NORMAL")
                # IMMEDIATE takes the write lock first, so two processes never pick one offset
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            finally:
                if not durable:
                    self._db.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's reading connection (autocommit: each query sees the last commit)."""
        with _outage(self.path):
            yield self._readers.connection()

    def partition_of(self, key: str | None) -> int:
        if key is None:
            return next(self._turns) % PARTITIONS
        return zlib.crc32(key.encode()) % PARTITIONS

    def publish(self, event: CloudEvent, *, key: str | None, topic: str = EVENTS) -> None:
        self.publish_raw(encode(event), key=key, topic=topic)

    def publish_raw(self, value: bytes, *, key: str | None, topic: str) -> None:
        """Group commit: the record joins the queue; whoever holds the lock next appends
        everything queued in one transaction (one fsync for all the senders waiting), and
        each sender returns once its record is on disk, or raises what that write raised."""
        append = _Append(topic, self.partition_of(key), key, value)
        with self._queue_lock:
            self._queue.append(append)
        with self._lock:
            if not append.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    with self._transaction(durable=True) as db:
                        _append_all(db, batch)
                except BaseException as exc:
                    for each in batch:
                        each.error = exc
                for each in batch:
                    each.done = True
        if append.error is not None:
            raise append.error

    def consumer(self, group: str, topics: list[str]) -> SqliteConsumer:
        return SqliteConsumer(self, group, topics)

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """{partition: next offset to process} for the group (0 where it never committed)."""
        with self._reading() as db:
            rows = db.execute(
                'SELECT "partition", next_offset FROM committed_offsets WHERE group_id = ? AND topic = ?',
                (group, topic),
            ).fetchall()
        return {partition: 0 for partition in range(PARTITIONS)} | dict(rows)

    def read(self, topic: str, partition: int, start: int, limit: int) -> list[Delivery]:
        with self._reading() as db:
            rows = db.execute(
                'SELECT "offset", key, value FROM records WHERE topic = ? AND "partition" = ? '
                'AND "offset" >= ? ORDER BY "offset" LIMIT ?',
                (topic, partition, start, limit),
            ).fetchall()
        return [to_delivery(topic, partition, n, key, bytes(value)) for n, key, value in rows]

    def change_mark(self) -> tuple[int, int]:
        """A value that differs once another connection (a send, another process) has
        committed: this thread's reading connection's data_version, and the thread."""
        with self._reading() as db:
            (version,) = db.execute("PRAGMA data_version").fetchone()
        return threading.get_ident(), version

    def ends(self, topic: str) -> dict[int, int]:
        """{partition: its next offset} for the partitions of `topic` that hold records."""
        with self._reading() as db:
            return dict(
                db.execute(
                    'SELECT "partition", MAX("offset") + 1 FROM records WHERE topic = ? '
                    'GROUP BY "partition"',
                    (topic,),
                ).fetchall()
            )

    def lag(self, group: str, topic: str = EVENTS) -> int:
        committed = self.committed(group, topic)
        ends = self.ends(topic)
        return sum(max(0, end - committed.get(partition, 0)) for partition, end in ends.items())

    def backlog(self) -> int:
        return 0  # publish() appends to the log itself: nothing waits

    def history(self, topic: str = EVENTS) -> Iterator[Delivery]:
        for partition, end in sorted(self.ends(topic).items()):
            start = 0
            while start < end:
                found = self.read(topic, partition, start, min(HISTORY_PAGE, end - start))
                if not found:
                    break
                yield from found
                start = found[-1].offset + 1

    def commit(self, group: str, *deliveries: Delivery) -> None:
        with self._session(durable=False) as db:
            db.executemany(
                'INSERT INTO committed_offsets VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, "partition") '
                "DO UPDATE SET next_offset = excluded.next_offset",
                [(group, d.topic, d.partition, d.offset + 1) for d in deliveries],
            )

    def health(self) -> None:
        with self._reading() as db:
            db.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self._readers.close()


@contextmanager
def _outage(path: str) -> Iterator[None]:
    """OperationalError (locked past busy_timeout, disk trouble) is an outage: retry later."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise Unavailable(f"bus log {path}: {exc}") from exc


@dataclass
class _Append:
    """A record waiting for its group commit, and how that went."""

    topic: str
    partition: int
    key: str | None
    value: bytes
    done: bool = False
    error: BaseException | None = None


def _append_all(db: sqlite3.Connection, batch: list[_Append]) -> None:
    """Append `batch` in order, each at the next offset of its partition."""
    ends: dict[tuple[str, int], int] = {}
    rows = []
    for each in batch:
        where = (each.topic, each.partition)
        if where not in ends:
            (ends[where],) = db.execute(
                'SELECT COALESCE(MAX("offset") + 1, 0) FROM records WHERE topic = ? AND "partition" = ?',
                where,
            ).fetchone()
        rows.append((*where, ends[where], each.key, each.value, time.time()))
        ends[where] += 1
    db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)


class SqliteConsumer:
    """One member of a consumer group: its position per partition, starting at the commits."""

    commit_every = 0.5  # seconds (the port says why)

    def __init__(self, bus: SqliteBus, group: str, topics: list[str]) -> None:
        self.bus, self.group, self.topics = bus, group, list(topics)
        self._positions: dict[tuple[str, int], int] = {}
        self._turn = 0
        self._dry_at: tuple[int, int] | None = None  # the log's change mark at an empty fetch

    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while True:
            deliveries = self._fetch(max_records)
            remaining = deadline - time.monotonic()
            if deliveries or remaining <= 0:
                return deliveries
            time.sleep(min(POLL_INTERVAL, remaining))

    def _start(self) -> None:
        if not self._positions:
            for topic in self.topics:
                for partition, offset in self.bus.committed(self.group, topic).items():
                    self._positions[(topic, partition)] = offset

    def _fetch(self, max_records: int) -> list[Delivery]:
        """The next records from this member's positions; an idle member reads the log only
        once something was committed since it last found nothing."""
        self._start()
        mark = self.bus.change_mark()
        if mark == self._dry_at:
            return []
        deliveries = self._read_on(max_records)
        self._dry_at = None if deliveries else mark
        return deliveries

    def _read_on(self, max_records: int) -> list[Delivery]:
        # start at a different partition each time, so a busy one cannot starve the rest
        order = list(self._positions)
        if not order:
            return []
        self._turn = (self._turn + 1) % len(order)
        deliveries: list[Delivery] = []
        for topic, partition in order[self._turn :] + order[: self._turn]:
            if len(deliveries) >= max_records:
                break
            start = self._positions[(topic, partition)]
            found = self.bus.read(topic, partition, start, max_records - len(deliveries))
            if found:
                self._positions[(topic, partition)] = found[-1].offset + 1
                deliveries.extend(found)
        return deliveries

    def commit(self, *deliveries: Delivery) -> None:
        self.bus.commit(self.group, *deliveries)

    def caught_up(self) -> bool:
        self._start()
        return not any(
            self.bus.read(topic, partition, start, 1)
            for (topic, partition), start in self._positions.items()
        )

    def close(self) -> None:
        self._positions.clear()
        self._dry_at = None
