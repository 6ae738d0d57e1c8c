"""KafkaBus: the bus port on Apache Kafka (kafka-python).

URL: ``kafka://host:port[,host:port…][?replication_factor=3][&outbox=/path/outbox.db]``
(replication defaults to 1, right for one broker; the outbox to ``.data/bus-outbox.db``,
and Settings puts it under data_dir).

publish() never waits for Kafka: it appends the record to a durable outbox (a local
SQLite file, shared/adapters/bus/outbox.py) and returns, so a Kafka outage never blocks
a caller, and what was published survives the outage and a restart. A relay thread sends
the outbox to Kafka in the order it was written, waits for the acknowledgement of all
in-sync replicas (acks=all), deletes what was acknowledged and retries the rest with
backoff. Records are keyed by entity so one entity's events share a partition and stay
in order. `backlog()` is the outbox depth; history() and caught_up() first wait for, or
count, what the outbox still holds for their topics, so "published" means the same as
on the embedded bus. Topics are created when first used: townsquare.events with
6 partitions, townsquare.dead-letter with 1, any other with 3. consumer() is a
KafkaConsumer in the group with auto-commit off: poll() hands records out, commit()
stores offset+1 for the record's partition once it is processed (at-least-once); a new
group starts at the beginning of the log. The first poll of a new member waits up to
JOIN_WAIT seconds for the group to give it partitions, whatever its own timeout.
history() reads a topic from the beginning with a group-less consumer.
caught_up() compares the member's positions with its partitions' end offsets (one
ListOffsets round trip). lag(group, topic) is the group's end offsets minus its committed
offsets, summed over partitions. Nothing connects until first use; a broker that cannot
be reached is Unavailable (except to publish(), which the outbox absorbs).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import kafka.errors as kafka_errors
from cloudevents.http import CloudEvent
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition

from shared.adapters.bus import to_delivery
from shared.adapters.bus.outbox import Outbox, Pending, Relay
from shared.errors import Unavailable
from shared.events import encode
from shared.ports.bus import DEAD_LETTER, EVENTS, Delivery

log = logging.getLogger("townsquare.bus")
PARTITIONS = {EVENTS: 6, DEAD_LETTER: 1}
DEFAULT_PARTITIONS = 3
JOIN_WAIT = 15.0
JOIN_CHECK = 0.2
HISTORY_WITHIN = 120.0  # seconds history() may take to reach the end offsets
OUTBOX = ".data/bus-outbox.db"  # when the URL names none
ACK_WITHIN = 35.0  # seconds the relay waits for one acknowledgement (delivery_timeout_ms + slack)
TIMEOUTS = dict(request_timeout_ms=10_000, bootstrap_timeout_ms=10_000)
# the broker is gone, slow, or moved the group on (a rebalance): retry, from the last commit
OUTAGES = (
    kafka_errors.RetriableError,
    kafka_errors.KafkaConnectionError,
    kafka_errors.CommitFailedError,
    kafka_errors.RebalanceInProgressError,
)


def _guarded(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except OUTAGES as exc:
            raise Unavailable(f"kafka: {type(exc).__name__}: {exc}") from exc

    return wrapper


class KafkaBus:
    def __init__(
        self, servers: list[str], *, replication_factor: int = 1, outbox: str = OUTBOX
    ) -> None:
        self.servers = servers
        self.replication_factor = replication_factor
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._probe: KafkaConsumer | None = None
        self._topics: set[str] = set()
        self._lock = threading.Lock()
        self.outbox = Outbox(outbox)
        self._relay = Relay(self.outbox, self._send)

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> KafkaBus:
        # Kafka's own bounds (TIMEOUTS, JOIN_WAIT, delivery) stay: a consumer's request
        # timeout must outlast its group session, far above a per-call timeout
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        replication = int(query.get("replication_factor", ["1"])[0])
        outbox = query.get("outbox", [OUTBOX])[0]
        return cls(parts.netloc.split(","), replication_factor=replication, outbox=outbox)

    def _producer_(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(
                    bootstrap_servers=self.servers,
                    client_id="townsquare",
                    acks="all",
                    linger_ms=2,
                    max_block_ms=10_000,
                    delivery_timeout_ms=30_000,
                    **TIMEOUTS,
                )
            return self._producer

    def _ensure_topics(self, topics: list[str]) -> None:
        with self._lock:
            missing = [topic for topic in topics if topic not in self._topics]
            if not missing:
                return
            existing = set(self._admin_client().list_topics())
            wanted = {
                topic: {
                    "num_partitions": PARTITIONS.get(topic, DEFAULT_PARTITIONS),
                    "replication_factor": self.replication_factor,
                }
                for topic in missing
                if topic not in existing
            }
            if wanted:
                # another process may have created one meanwhile: that is as good
                with contextlib.suppress(kafka_errors.TopicAlreadyExistsError):
                    self._admin_client().create_topics(wanted, wait_for_metadata=True)
            self._topics.update(missing)

    def _admin_client(self) -> KafkaAdminClient:
        if self._admin is None:  # called under self._lock
            self._admin = KafkaAdminClient(bootstrap_servers=self.servers, **TIMEOUTS)
        return self._admin

    def publish(self, event: CloudEvent, *, key: str | None, topic: str = EVENTS) -> None:
        self.publish_raw(encode(event), key=key, topic=topic)

    def publish_raw(self, value: bytes, *, key: str | None, topic: str) -> None:
        self.outbox.put(topic, key, value)
        self._relay.wake()

    def backlog(self) -> int:
        """Records published but not yet acknowledged by Kafka (the outbox depth)."""
        return self.outbox.depth()

    def _send(self, pending: list[Pending]) -> list[int]:
        """The relay's send: every record, in order; the ids acknowledged before a failure."""
        acknowledged: list[int] = []
        try:
            self._ensure_topics(sorted({p.topic for p in pending}))
            producer = self._producer_()
            futures = [
                producer.send(p.topic, value=p.value, key=p.key.encode() if p.key else None)
                for p in pending
            ]
            for record, future in zip(pending, futures, strict=True):
                future.get(timeout=ACK_WITHIN)
                acknowledged.append(record.id)
        except (kafka_errors.KafkaError, Unavailable) as exc:  # any: not acknowledged
            log.warning("kafka took %d of %d records: %s", len(acknowledged), len(pending), exc)
        return acknowledged

    def flush(self, topics: list[str], within: float) -> None:
        """Wait until the outbox holds nothing for `topics`; Unavailable after `within` s."""
        deadline = time.monotonic() + within
        while self.outbox.depth(topics):
            if time.monotonic() > deadline:
                raise Unavailable(f"kafka: the outbox still holds records for {topics}")
            self._relay.wake()
            time.sleep(0.02)

    @_guarded
    def consumer(self, group: str, topics: list[str]) -> KafkaBusConsumer:
        self._ensure_topics(topics)
        consumer = KafkaConsumer(
            bootstrap_servers=self.servers,
            group_id=group,
            client_id=f"townsquare-{uuid.uuid4().hex[:8]}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # a member that joined before it knew a new topic's partitions is handed none,
            # until its metadata is refreshed: keep that short, and learn them before joining
            metadata_max_age_ms=5_000,
            **TIMEOUTS,
        )
        for topic in topics:
            self._await_partitions(consumer, topic)
        consumer.subscribe(topics)
        return KafkaBusConsumer(consumer, self.outbox, topics)

    @staticmethod
    def _await_partitions(consumer: KafkaConsumer, topic: str, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not consumer.partitions_for_topic(topic):
            if time.monotonic() > deadline:
                raise Unavailable(f"Kafka knows no partitions of {topic!r} yet")
            time.sleep(0.1)

    @_guarded
    def lag(self, group: str, topic: str = EVENTS) -> int:
        self._ensure_topics([topic])
        with self._lock:
            probe = self._probe_()
            partitions = [TopicPartition(topic, p) for p in probe.partitions_for_topic(topic) or ()]
            found = self._admin_client().list_group_offsets({group: partitions}).get(group, {})
            ends = probe.end_offsets(partitions)
            starts = probe.beginning_offsets(partitions)
        committed = {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}
        return sum(max(0, end - committed.get(tp, starts[tp])) for tp, end in ends.items())

    def _probe_(self) -> KafkaConsumer:
        """A group-less consumer for offsets and metadata (called under self._lock)."""
        if self._probe is None:
            self._probe = KafkaConsumer(
                bootstrap_servers=self.servers, group_id=None, enable_auto_commit=False, **TIMEOUTS
            )
        return self._probe

    def history(self, topic: str = EVENTS) -> Iterator[Delivery]:
        return iter(self._history(topic))

    @_guarded
    def _history(self, topic: str) -> list[Delivery]:
        """Read eagerly, so that a broker outage surfaces here, as Unavailable."""
        self.flush([topic], HISTORY_WITHIN)
        self._ensure_topics([topic])
        consumer = KafkaConsumer(
            bootstrap_servers=self.servers, group_id=None, enable_auto_commit=False, **TIMEOUTS
        )
        try:
            self._await_partitions(consumer, topic)
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
            consumer.assign(partitions)
            ends = consumer.end_offsets(partitions)
            consumer.seek_to_beginning(*partitions)
            found: list[Delivery] = []
            deadline = time.monotonic() + HISTORY_WITHIN
            while any(consumer.position(tp) < end for tp, end in ends.items()):
                if time.monotonic() > deadline:
                    raise Unavailable(f"kafka: reading {topic!r} took over {HISTORY_WITHIN} s")
                for part, records in consumer.poll(timeout_ms=1000, max_records=1000).items():
                    found += [_delivery(r) for r in records if r.offset < ends[part]]
            return sorted(found, key=lambda d: (d.partition, d.offset))
        finally:
            consumer.close(autocommit=False)

    @_guarded
    def health(self) -> None:
        self._ensure_topics([EVENTS, DEAD_LETTER])
        with self._lock:
            self._admin_client().list_topics()  # a round trip, even when the topics are known

    def close(self) -> None:
        # what the relay has not sent stays in the outbox for the next start; a relay still
        # in a send keeps its connection to the outbox, to delete what that send delivers
        stopped = self._relay.close()
        with self._lock:
            if stopped:
                self.outbox.close()
            if self._producer is not None:
                self._producer.close(timeout=10)
            if self._admin is not None:
                self._admin.close()
            if self._probe is not None:
                self._probe.close(autocommit=False)
            self._producer = self._admin = self._probe = None


def _delivery(record) -> Delivery:
    key = record.key.decode() if record.key else None
    return to_delivery(record.topic, record.partition, record.offset, key, record.value)


class KafkaBusConsumer:
    commit_every = 0.0  # after every batch (the port says why)

    def __init__(self, consumer: KafkaConsumer, outbox: Outbox, topics: list[str]) -> None:
        self.consumer = consumer
        self.outbox = outbox
        self.topics = topics
        self._joined = False

    @_guarded
    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Delivery]:
        started = time.monotonic()
        while True:
            remaining = self._deadline(started, timeout) - time.monotonic()
            if not self._joined:  # look at the assignment often, not only at the deadline
                remaining = min(remaining, JOIN_CHECK)
            batches = self.consumer.poll(
                timeout_ms=int(max(0.0, remaining) * 1000), max_records=max_records
            )
            self._joined = self._joined or bool(self.consumer.assignment())
            deliveries = [_delivery(r) for records in batches.values() for r in records]
            if deliveries or time.monotonic() >= self._deadline(started, timeout):
                self._joined = True  # a member given no partitions waits for the join only once
                return deliveries

    def _deadline(self, started: float, timeout: float) -> float:
        # a new member has no partitions until the group coordinator assigns them
        return started + (timeout if self._joined else max(timeout, JOIN_WAIT))

    @_guarded
    def commit(self, *deliveries: Delivery) -> None:
        self.consumer.commit(
            {
                TopicPartition(d.topic, d.partition): OffsetAndMetadata(d.offset + 1, "", -1)
                for d in deliveries
            }
        )

    @_guarded
    def caught_up(self) -> bool:
        if not self._joined or self.outbox.depth(self.topics):  # published, not yet sent
            return False
        assigned = list(self.consumer.assignment())
        try:
            ends = self.consumer.end_offsets(assigned) if assigned else {}
            positions = {tp: self.consumer.position(tp) for tp in ends}
        except kafka_errors.IllegalStateError:  # a rebalance took a partition meanwhile
            return False
        return all(positions[tp] is not None and positions[tp] >= end for tp, end in ends.items())

    def close(self) -> None:
        self.consumer.close(autocommit=False)
