"""The bus port's contract, run on the SQLite log (embedded) and on Kafka (real).

Every test uses its own topics and groups, so runs on a shared broker never meet.
"""

from __future__ import annotations

import threading
import time

import pytest

from shared.backends import open_port
from shared.errors import Unavailable
from shared.events import encode, make_event
from shared.ports.bus import DEAD_LETTER, EVENTS, Delivery
from tests.contract.conftest import backend_params, open_adapter, unique


@pytest.fixture(params=backend_params("bus"))
def bus(request, tmp_path):
    adapter = open_adapter("bus", request.param, tmp_path)
    yield adapter
    adapter.close()


@pytest.fixture
def topic():
    return unique("test-")


@pytest.fixture
def consumers(bus):
    """consumers(group, topics) → a consumer closed at the end of the test."""
    opened = []

    def open_consumer(group: str, topics: list[str]):
        opened.append(bus.consumer(group, topics))
        return opened[-1]

    yield open_consumer
    for consumer in opened:
        consumer.close()


def consume(consumer, count: int, *, within: float = 30.0, commit: bool = False) -> list[Delivery]:
    """Poll until `count` records came (or `within` seconds passed)."""
    got: list[Delivery] = []
    deadline = time.monotonic() + within
    while len(got) < count and time.monotonic() < deadline:
        batch = consumer.poll(timeout=1.0)
        got.extend(batch)
        for delivery in batch if commit else ():
            consumer.commit(delivery)
    return got


def publish_numbered(bus, topic: str, keys: list[str], rounds: int) -> list[str]:
    """Publish rounds × keys events (interleaved); their ids in publishing order."""
    ids = []
    for n in range(rounds):
        for key in keys:
            event = make_event("test.numbered", key, {"n": n})
            bus.publish(event, key=key, topic=topic)
            ids.append(event["id"])
    return ids


def test_events_come_back_whole_and_in_order_per_key(bus, consumers, topic):
    keys = [unique() for _ in range(5)]
    ids = publish_numbered(bus, topic, keys, rounds=4)
    got = consume(consumers(unique(), [topic]), len(ids))
    assert sorted(d.event["id"] for d in got) == sorted(ids)
    for key in keys:
        mine = [d for d in got if d.key == key]
        assert [d.event.data["n"] for d in mine] == [0, 1, 2, 3]
        assert len({d.partition for d in mine}) == 1
        assert [d.offset for d in mine] == sorted(d.offset for d in mine)
    first = got[0]
    assert first.topic == topic
    assert first.event["type"] == "test.numbered"
    assert first.event["subject"] == first.key
    assert first.event["id"].encode() in first.raw


def test_every_group_sees_every_event(bus, consumers, topic):
    ids = publish_numbered(bus, topic, [unique(), unique()], rounds=3)
    one, two = consumers(unique(), [topic]), consumers(unique(), [topic])
    assert sorted(d.event["id"] for d in consume(one, len(ids), commit=True)) == sorted(ids)
    assert sorted(d.event["id"] for d in consume(two, len(ids))) == sorted(ids)


def test_polling_again_without_commit_moves_on(bus, consumers, topic):
    ids = publish_numbered(bus, topic, [unique()], rounds=3)
    consumer = consumers(unique(), [topic])
    assert len(consume(consumer, len(ids))) == 3
    assert consumer.poll(timeout=1.0) == []


def test_uncommitted_records_go_to_the_next_member(bus, consumers, topic):
    group, key = unique(), unique()
    ids = publish_numbered(bus, topic, [key], rounds=3)
    crashed = consumers(group, [topic])
    got = consume(crashed, 3)
    crashed.commit(got[0])
    crashed.close()  # gone before committing the other two
    again = consume(consumers(group, [topic]), 2)
    assert [d.event["id"] for d in again] == ids[1:]
    assert [d.offset for d in again] == [d.offset for d in got[1:]]


def test_committed_records_are_not_delivered_again(bus, consumers, topic):
    group, key = unique(), unique()
    publish_numbered(bus, topic, [key], rounds=2)
    first = consumers(group, [topic])
    assert len(consume(first, 2, commit=True)) == 2
    first.close()
    later = consumers(group, [topic])
    assert later.poll(timeout=2.0) == []
    (newest,) = publish_numbered(bus, topic, [key], rounds=1)
    assert [d.event["id"] for d in consume(later, 1)] == [newest]


def test_a_member_is_caught_up_once_handed_everything_published(bus, consumers, topic):
    key = unique()
    ids = publish_numbered(bus, topic, [key], rounds=3)
    consumer = consumers(unique(), [topic])
    got: list[Delivery] = []
    deadline = time.monotonic() + 30
    while not consumer.caught_up() and time.monotonic() < deadline:
        got += consumer.poll(timeout=0.2)
    assert [d.event["id"] for d in got] == ids  # caught up means nothing was left out
    (newest,) = publish_numbered(bus, topic, [key], rounds=1)
    assert not consumer.caught_up()
    assert [d.event["id"] for d in consume(consumer, 1)] == [newest]
    # handed everything: caught up as soon as the outbox has noted the send (Kafka), and
    # nothing more is handed meanwhile
    deadline = time.monotonic() + 10
    while not consumer.caught_up() and time.monotonic() < deadline:
        assert consumer.poll(timeout=0.2) == []
    assert consumer.caught_up()


def test_bytes_that_are_not_a_cloudevent_arrive_raw(bus, consumers, topic):
    key = unique()
    bus.publish_raw(b"\xff not json", key=key, topic=topic)
    bus.publish_raw(b'{"type": "half an event"}', key=key, topic=topic)
    got = consume(consumers(unique(), [topic]), 2)
    assert [(d.event, d.raw, d.key) for d in got] == [
        (None, b"\xff not json", key),
        (None, b'{"type": "half an event"}', key),
    ]


def test_keyless_records_are_delivered(bus, consumers, topic):
    for n in range(4):
        bus.publish(make_event("test.keyless", unique(), {"n": n}), key=None, topic=topic)
    got = consume(consumers(unique(), [topic]), 4)
    assert sorted(d.event.data["n"] for d in got) == [0, 1, 2, 3]
    assert all(d.key is None for d in got)


@pytest.mark.parametrize("target", [EVENTS, DEAD_LETTER])
def test_the_named_topics(bus, consumers, target):
    """The shared topics hold other tests' records too: look for ours among them."""
    key = unique()
    event = make_event("test.named", key, {"topic": target})
    if target == DEAD_LETTER:
        bus.publish_raw(encode(event), key=key, topic=target)
    else:
        bus.publish(event, key=key)
    consumer = consumers(unique(), [target])
    deadline = time.monotonic() + 60
    mine: list[Delivery] = []
    while not mine and time.monotonic() < deadline:
        mine = [d for d in consumer.poll(max_records=500, timeout=1.0) if d.key == key]
    assert [(d.topic, d.event["id"]) for d in mine] == [(target, event["id"])]


def test_health(bus):
    bus.health()


@pytest.mark.slow
def test_an_unreachable_kafka_keeps_what_is_published_in_its_outbox(tmp_path):
    """publish() returns at once and keeps the record on disk; the rest says Unavailable."""
    outbox = tmp_path / "outbox.db"
    bus = open_port("bus", f"kafka://127.0.0.1:1?outbox={outbox}")
    bus.publish(make_event("test.kept", unique(), {}), key=None)
    assert bus.backlog() == 1
    with pytest.raises(Unavailable):
        bus.health()
    bus.close()
    again = open_port("bus", f"kafka://127.0.0.1:1?outbox={outbox}")
    assert again.backlog() == 1  # still there after a restart, for the next relay
    again.close()


def test_lag_counts_what_a_group_has_not_committed(bus, consumers, topic):
    group = unique()
    assert bus.lag(group, topic) == 0
    publish_numbered(bus, topic, [unique(), unique()], rounds=3)
    deadline = time.monotonic() + 30
    while bus.backlog() and time.monotonic() < deadline:  # Kafka: the relay hands them over
        time.sleep(0.05)
    assert bus.backlog() == 0
    assert bus.lag(group, topic) == 6
    consumer = consumers(group, [topic])
    got = consume(consumer, 6)
    assert bus.lag(group, topic) == 6  # handed out is not done
    for delivery in got:
        consumer.commit(delivery)
    assert bus.lag(group, topic) == 0


def test_publishers_on_many_threads_keep_their_own_order(bus, consumers, topic):
    key = unique()

    def publish_from(thread: int) -> None:
        for n in range(10):
            event = make_event("test.threaded", key, {"thread": thread, "n": n})
            bus.publish(event, key=key, topic=topic)

    threads = [threading.Thread(target=publish_from, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    got = consume(consumers(unique(), [topic]), 40)
    assert len({d.offset for d in got}) == 40
    for thread in range(4):
        mine = [d.event.data["n"] for d in got if d.event.data["thread"] == thread]
        assert mine == list(range(10))


def test_history_reads_every_record_so_far_and_moves_no_group(bus, consumers, topic):
    ids = publish_numbered(bus, topic, ["a", "b", "c"], 3)
    bus.publish_raw(b"not a cloudevent", key="a", topic=topic)
    history = list(bus.history(topic))
    assert sorted(d.event["id"] for d in history if d.event is not None) == sorted(ids)
    assert [d.raw for d in history if d.event is None] == [b"not a cloudevent"]
    per_key_a = [d.event["id"] for d in history if d.key == "a" and d.event is not None]
    assert per_key_a == [i for i in ids if i in per_key_a]  # in order within a partition
    assert len(consume(consumers(unique("g-"), [topic]), len(ids) + 1)) == len(ids) + 1


def test_history_of_an_empty_topic_is_empty(bus, topic):
    assert list(bus.history(topic)) == []
