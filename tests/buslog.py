"""What the tests read from the bus, and how a test run keeps its consumer groups apart.

BusLog: what was published on one topic since the test began, for tests to check.

The servers of `townsquare stack up` are shared by every test and every run, so "every
post.created on the bus" means everyone's. A BusLog marks the end of the topic when it is
made and reads from that mark: only what happened since. `events(type, about)` narrows it
further to one entity (the subject, or a value in the data), so another process on the same
broker cannot be mistaken for this test.

On Kafka it first waits for the bus's outbox to hand the topic's records over, then reads
with a group-less consumer assigned to every partition: no group to
join, nothing committed, the end offsets taken at `events()` time are read exactly. On
the embedded log it is a consumer of a fresh group that skipped what was there.

start_at_the_end(bus, groups) / forget_groups(bus, groups): a test run on Kafka gives the
event functions consumer groups of its own (Settings.event_group_prefix), so a dev
server, a benchmark or another run on the same broker neither takes their partitions nor
stalls their rebalances. New groups would start at the beginning of the log, so the run
first commits the log's end for them, and deletes them when it is done.
"""

from __future__ import annotations

import time
import uuid

import kafka.errors as kafka_errors
from cloudevents.http import CloudEvent
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import OffsetSpec

from shared.adapters.bus import to_delivery
from shared.adapters.bus.kafka import KafkaBus
from shared.breakers import unguarded
from shared.ports.bus import EVENTS, Delivery

READ_WITHIN = 30.0  # seconds to read up to the end offsets before giving up


class BusLog:
    def __init__(self, services, topic: str = EVENTS) -> None:
        self.topic = topic
        bus = unguarded(services.bus)
        if isinstance(bus, KafkaBus):
            self._reader = _KafkaReader(bus, topic)
        else:
            self._reader = _PortReader(bus, topic)

    def deliveries(self) -> list[Delivery]:
        """Every record published on the topic since this log was made, in order per key."""
        return self._reader.read()

    def events(self, type_: str, about: str | None = None) -> list[CloudEvent]:
        """The CloudEvents of `type_` since the mark; with `about`, only those whose subject
        or one of whose data values is `about`."""
        return [d.event for d in self.deliveries() if _is(d.event, type_, about)]

    def keyed(self, type_: str, about: str | None = None) -> list[tuple[str | None, CloudEvent]]:
        """(key, event) pairs, like events()."""
        return [(d.key, d.event) for d in self.deliveries() if _is(d.event, type_, about)]

    def close(self) -> None:
        self._reader.close()


def _is(event: CloudEvent | None, type_: str, about: str | None) -> bool:
    if event is None or event["type"] != type_:
        return False
    if about is None:
        return True
    data = event.data if isinstance(event.data, dict) else {}
    return about in (event["subject"], *data.values())


class _KafkaReader:
    def __init__(self, bus: KafkaBus, topic: str) -> None:
        self.bus, self.topic = bus, topic
        bus.flush([topic], READ_WITHIN)  # what was published before the mark is before it
        bus._ensure_topics([topic])
        self.consumer = KafkaConsumer(bootstrap_servers=bus.servers, enable_auto_commit=False)
        partitions = self.consumer.partitions_for_topic(topic) or set()
        self.partitions = [TopicPartition(topic, p) for p in sorted(partitions)]
        self.start = self.consumer.end_offsets(self.partitions)
        self.consumer.assign(self.partitions)

    def read(self) -> list[Delivery]:
        self.bus.flush([self.topic], READ_WITHIN)  # published means on Kafka, not in the outbox
        end = self.consumer.end_offsets(self.partitions)
        for tp in self.partitions:
            self.consumer.seek(tp, self.start[tp])
        seen: list[Delivery] = []
        deadline = time.monotonic() + READ_WITHIN
        while any(self.consumer.position(tp) < end[tp] for tp in self.partitions):
            assert time.monotonic() < deadline, f"could not read {self.partitions} to {end}"
            for records in self.consumer.poll(timeout_ms=200).values():
                seen += [_delivery(r) for r in records if r.offset < end[_tp(r)]]
        return seen

    def close(self) -> None:
        self.consumer.close(autocommit=False)


def _tp(record) -> TopicPartition:
    return TopicPartition(record.topic, record.partition)


def _delivery(record) -> Delivery:
    key = record.key.decode() if record.key else None
    return to_delivery(record.topic, record.partition, record.offset, key, record.value)


class _PortReader:
    """Through the port: a fresh group, moved past what was already there."""

    def __init__(self, bus, topic: str) -> None:
        self.consumer = bus.consumer(f"buslog-{uuid.uuid4().hex}", [topic])
        self._drain()
        self.seen: list[Delivery] = []

    def _drain(self) -> list[Delivery]:
        got: list[Delivery] = []
        while not self.consumer.caught_up():
            got += self.consumer.poll(timeout=0.0)
        return got

    def read(self) -> list[Delivery]:
        self.seen += self._drain()
        return list(self.seen)

    def close(self) -> None:
        self.consumer.close()


def start_at_the_end(bus, groups: list[str], topic: str = EVENTS) -> None:
    """Commit `topic`'s end offsets for `groups`: they start at what comes next."""
    bus = unguarded(bus)
    if not isinstance(bus, KafkaBus):
        return
    bus._ensure_topics([topic])
    reader = KafkaConsumer(bootstrap_servers=bus.servers)
    admin = KafkaAdminClient(bootstrap_servers=bus.servers)
    try:
        latest = {
            TopicPartition(topic, p): OffsetSpec.LATEST for p in reader.partitions_for_topic(topic)
        }
        for group in groups:
            result = admin.reset_group_offsets(group, latest)
            assert all(r["error"] is kafka_errors.NoError for r in result.values()), result
    finally:
        reader.close()
        admin.close()


def forget_groups(bus, groups: list[str]) -> None:
    """Delete the run's groups (their committed offsets) from the broker."""
    bus = unguarded(bus)
    if isinstance(bus, KafkaBus):
        admin = KafkaAdminClient(bootstrap_servers=bus.servers)
        try:
            admin.delete_groups(groups)
        finally:
            admin.close()
