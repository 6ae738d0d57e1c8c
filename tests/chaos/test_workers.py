"""R5–R7: workers and events misbehave under steady chat traffic.

R5 a worker (an event function's consumer) is killed between its write and its commit;
R6 10% of the events are delivered again; R7 1% of the events on the bus and of the MQTT
messages are poison. Each time: nothing acknowledged is lost, nothing is stored or
delivered twice, poison goes to the dead-letter topic with its reason and no token.
"""

from __future__ import annotations

import base64
import json
import random
import time

import paho.mqtt.client as mqtt
import pytest

from shared.ports.bus import DEAD_LETTER, EVENTS
from shared.records import conversation_of
from tests.buslog import BusLog
from tests.chaos.faults import assert_passed, leaks_in, run_fault, secrets_of
from tests.chaos.report import checked
from triggers.kafka import EventDispatcher

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup


def archived_twice(townsquare, traffic) -> int:
    """Messages of the traffic's group that the archive holds more than once."""
    conversation = conversation_of(traffic.by_http["uuid"], None, traffic.group)
    archived = townsquare.services.content.archived_messages(conversation, before=None, limit=5000)
    uuids = [m.uuid for m in archived]
    return len(uuids) - len(set(uuids))


def test_r5_worker_killed_between_write_and_commit(traffic, report, townsquare):
    archive = townsquare.registry.get("archive_message")
    processed: list[str] = []
    # the group's messages share one key, so one partition: direct messages to people of
    # their own spread over the partitions, so the doomed worker is handed some of them
    peers = [traffic.api.person("peer") for _ in range(8)]
    sender = traffic.by_http
    dms: list[tuple[dict, str]] = []

    def inject() -> float:
        doomed = EventDispatcher(townsquare.services, townsquare.registry)
        consumer = doomed._consumer(archive)  # joins the live worker's consumer group
        deadline = time.monotonic() + 30
        while not processed and time.monotonic() < deadline:
            for peer in peers:
                body = {"to_user": peer["uuid"], "text": f"dm {len(dms)}"}
                answer = traffic.api.call("POST", "/messages", sender["token"], json=body)
                dms.append((peer, answer.json()["message"]["uuid"]))
            for delivery in consumer.poll(timeout=1.0):
                if delivery.event and delivery.event["type"] == "message.created":
                    archive.handler([delivery.event], doomed.ctx)  # the write ...
                    processed.append(delivery.event["subject"])
        consumer.close()  # ... and the worker dies: no commit
        return time.monotonic()

    row = run_fault(traffic, report, "R5 kill worker before commit", inject)
    row.duplicated += archived_twice(townsquare, traffic)
    row.notes.append(f"the killed worker wrote {len(processed)} messages before dying")
    with checked(row):
        assert processed, "the doomed worker never got a delivery"
        for peer, uuid_ in dms:
            history = traffic.api.call(
                "GET", f"/messages?with_user={sender['uuid']}&limit=100", peer["token"]
            ).json()["items"]
            assert [m["uuid"] for m in history].count(uuid_) == 1, f"{uuid_} not stored once"
        conversations = {conversation_of(sender["uuid"], p["uuid"], None) for p, _ in dms}
        content = townsquare.services.content
        archived = [
            m.uuid
            for c in conversations
            for m in content.archived_messages(c, before=None, limit=1000)
        ]
        doubles = len(archived) - len(set(archived))
        row.duplicated += doubles
        assert not doubles, f"{doubles} messages archived twice"
    assert_passed(row)


def test_r6_ten_percent_of_events_replayed(traffic, report, townsquare):
    log = BusLog(townsquare.services, EVENTS)
    replayed: list[str] = []

    def inject() -> float:
        time.sleep(4)
        chosen = [d for d in log.deliveries() if random.random() < 0.10]
        for delivery in chosen:
            townsquare.services.bus.publish_raw(delivery.raw, key=delivery.key, topic=EVENTS)
            replayed.append(delivery.key or "")
        return time.monotonic()

    row = run_fault(traffic, report, "R6 replay 10% of events", inject)
    log.close()
    row.duplicated += archived_twice(townsquare, traffic)
    row.notes.append(f"{len(replayed)} events published a second time")
    with checked(row):
        assert replayed, "nothing was replayed"
    assert_passed(row)


POISON_EVENTS = [
    b"\xff not json",
    b'{"specversion": "1.0"}',
    b"[" * 20000 + b"]" * 20000,
    json.dumps({"specversion": "1.0", "type": "message.created", "source": "/x", "id": "p",
                "data": {"uuid": "not-a-uuid"}}).encode(),
]  # fmt: skip


def test_r7_one_percent_poison_events_and_mqtt_messages(traffic, report, townsquare, chaos_stack):
    letters = BusLog(townsquare.services, DEAD_LETTER)
    token = traffic.by_mqtt["token"]
    topic = f"townsquare/chat/group/{traffic.group}"
    poison_mqtt = [
        b"{not json",
        json.dumps({"token": token, "text": {"nested": "object"}}).encode(),
        json.dumps({"token": "forged-token-value", "text": "hi"}).encode(),
        b'{"token": "' + token.encode() + b'", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ]
    sent = {"events": 0, "mqtt": 0}

    def inject() -> float:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="chaos-poisoner")
        client.connect("127.0.0.1", chaos_stack["mosquitto"].port)
        client.loop_start()
        # traffic is about 12 chat messages a second: one poison in a hundred
        for i in range(8):
            raw = POISON_EVENTS[i % len(POISON_EVENTS)]
            townsquare.services.bus.publish_raw(raw, key=f"chaos-poison-{i}", topic=EVENTS)
            client.publish(topic, poison_mqtt[i % len(poison_mqtt)], qos=1).wait_for_publish(5)
            sent["events"] += 1
            sent["mqtt"] += 1
            time.sleep(1.0)
        client.loop_stop()
        client.disconnect()
        return time.monotonic()

    row = run_fault(traffic, report, "R7 1% poison events + MQTT", inject)
    time.sleep(3)
    records = letters.deliveries()
    letters.close()
    texts = [d.raw.decode(errors="replace") for d in records]
    originals = [
        base64.b64decode(d.event.data.get("original_base64") or "").decode(errors="replace")
        for d in records
        if d.event is not None and isinstance(d.event.data, dict)
    ]
    leaks = leaks_in(texts + originals, secrets_of(traffic))
    row.leaks += len(leaks)
    reasons = [json.loads(t).get("data", {}).get("reason", "") for t in texts if t.startswith("{")]
    row.rejections.update(f"dead letter: {r.split(':')[0][:40]}" for r in reasons)
    mqtt_letters = sum("mqtt/" in t for t in texts)
    row.notes.append(
        f"{sent['events']} poison events and {sent['mqtt']} poison MQTT messages; "
        f"{len(records)} dead letters ({mqtt_letters} from MQTT)"
    )
    with checked(row):
        assert mqtt_letters >= sent["mqtt"], "every poison MQTT message is dead-lettered"
        assert len(records) >= sent["events"] + sent["mqtt"], "every poison is dead-lettered"
        assert all(r for r in reasons), "every dead letter names its reason"
    assert_passed(row)
