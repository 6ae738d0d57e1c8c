"""KafkaBus: the bus port on Apache Kafka (kafka-python).

URL: ``kafka://host:port[,host:port…][?replication_factor=3]`` (replication defaults to 1,
right for one broker).

publish() waits for the broker's acknowledgement from all in-sync replicas (acks=all,
idempotent producer with retries), keyed by entity so one entity's events share a
partition and stay in order. Topics are created when first used: townsquare.events with
6 partitions, townsquare.dead-letter with 1, any other with 3. consumer() is a
KafkaConsumer in the group with auto-commit off: poll() hands records out, commit()
stores offset+1 for the record's partition once it is processed (at-least-once); a new
group starts at the beginning of the log. The first poll of a new member waits up to
JOIN_WAIT seconds for the group to give it partitions, whatever its own timeout.
history() reads a topic from the beginning with a group-less consumer.
caught_up() compares the member's positions with its partitions' end offsets (one
ListOffsets round trip). Nothing connects until first use; a broker that cannot be
reached is Unavailable.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import kafka.errors as kafka_errors
from cloudevents.http import CloudEvent
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition

from shared.adapters.bus import to_delivery
from shared.errors import Unavailable
from shared.events import encode
from shared.ports.bus import DEAD_LETTER, EVENTS, Delivery

PARTITIONS = {EVENTS: 6, DEAD_LETTER: 1}
DEFAULT_PARTITIONS = 3
JOIN_WAIT = 15.0
JOIN_CHECK = 0.2
HISTORY_WITHIN = 120.0  # seconds history() may take to reach the end offsets
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
    def __init__(self, servers: list[str], *, replication_factor: int = 1) -> None:
        self.servers = servers
        self.replication_factor = replication_factor
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._topics: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> KafkaBus:
        # Kafka's own bounds (TIMEOUTS, JOIN_WAIT, delivery) stay: a consumer's request
        # timeout must outlast its group session, far above a per-call timeout
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        replication = int(query.get("replication_factor", ["1"])[0])
        return cls(parts.netloc.split(","), replication_factor=replication)

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

    @_guarded
    def publish(self, event: CloudEvent, *, key: str | None, topic: str = EVENTS) -> None:
        self.publish_raw(encode(event), key=key, topic=topic)

    @_guarded
    def publish_raw(self, value: bytes, *, key: str | None, topic: str) -> None:
        self._ensure_topics([topic])
        future = self._producer_().send(topic, value=value, key=key.encode() if key else None)
        future.get(timeout=30)

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
        return KafkaBusConsumer(consumer)

    @staticmethod
    def _await_partitions(consumer: KafkaConsumer, topic: str, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not consumer.partitions_for_topic(topic):
            if time.monotonic() > deadline:
                raise Unavailable(f"Kafka knows no partitions of {topic!r} yet")
            time.sleep(0.1)

    def history(self, topic: str = EVENTS) -> Iterator[Delivery]:
        return iter(self._history(topic))

    @_guarded
    def _history(self, topic: str) -> list[Delivery]:
        """Read eagerly, so that a broker outage surfaces here, as Unavailable."""
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
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=10)
            if self._admin is not None:
                self._admin.close()
            self._producer = self._admin = None


def _delivery(record) -> Delivery:
    key = record.key.decode() if record.key else None
    return to_delivery(record.topic, record.partition, record.offset, key, record.value)


class KafkaBusConsumer:
    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer
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
    def commit(self, delivery: Delivery) -> None:
        partition = TopicPartition(delivery.topic, delivery.partition)
        self.consumer.commit({partition: OffsetAndMetadata(delivery.offset + 1, "", -1)})

    @_guarded
    def caught_up(self) -> bool:
        if not self._joined:
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
