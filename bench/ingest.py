"""B3: ingest into Kafka — MQTT publish and HTTP `POST /messages` → the `message.created`
event on the log, beside a bare kafka-python producer sending the same payloads.

Real backends only (the stack's Kafka and Mosquitto). A reader in this process follows the
events topic (and the baseline's own topic) from its end, without a consumer group, and
notes when each message's key appears. One message at a time; a message's latency runs
from just before it is sent until the reader has it:

- townsquare, HTTP: a direct message `POST /messages`; the server authenticates, validates,
  stores and appends the CloudEvent (acks=all) before it answers;
- townsquare, MQTT: the same message published (QoS 1) on `townsquare/chat/user/{uuid}` of
  the stack's Mosquitto, through the server's MQTT bridge;
- bare producer: kafka-python `KafkaProducer` with the project's producer settings (acks=all,
  linger 2 ms), sending an encoded CloudEvent of the same shape and size, and waiting for
  the broker's acknowledgement, to a topic of its own (never the shared events topic).

CPU: the Townsquare server's for its rows; this process's (producer and reader) for the
bare producer's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import requests
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from bench.harness import PROJECT, CpuMeter, auth, row, server, signup, standalone
from shared.adapters.bus.kafka import KafkaBus
from shared.events import encode, make_event
from shared.ports.bus import EVENTS

BACKENDS = {"real"}
"""The backends this benchmark runs on (the harness skips it on others, saying why)."""
BASELINE_TOPIC = "townsquare.bench.ingest"
TIMEOUT = 15.0
KEY = re.compile(rb"b3-[0-9a-f]{12}")


class Reader(threading.Thread):
    """Follows topics from their end, noting when each key is first seen."""

    def __init__(self, servers: list[str], topics: list[str]) -> None:
        super().__init__(daemon=True)
        self.consumer = KafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
        self.topics = topics
        self.seen: dict[bytes, float] = {}
        self.ready = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        parts = [
            TopicPartition(topic, p)
            for topic in self.topics
            for p in self.consumer.partitions_for_topic(topic) or []
        ]
        self.consumer.assign(parts)
        self.consumer.seek_to_end()
        for part in parts:
            self.consumer.position(part)
        self.ready.set()
        while not self.stop.is_set():
            for records in self.consumer.poll(timeout_ms=100).values():
                now = time.perf_counter()
                for record in records:
                    for key in KEY.findall(record.value or b""):
                        self.seen.setdefault(key, now)
        self.consumer.close()

    def wait(self, key: str) -> float | None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = self.seen.get(key.encode())
            if found is not None:
                return found
            time.sleep(0.0005)
        return None


def measure(send, reader: Reader, meter: CpuMeter, messages: int, case: str, side: str) -> dict:
    latencies, lost = [], 0
    send(f"b3-{uuid.uuid4().hex[:12]}")  # warm-up: connections, metadata
    meter.start()
    started = time.perf_counter()
    for _ in range(messages):
        key = f"b3-{uuid.uuid4().hex[:12]}"
        sent = time.perf_counter()
        send(key)
        arrived = reader.wait(key)
        if arrived is None:
            lost += 1
        else:
            latencies.append(arrived - sent)
    seconds = time.perf_counter() - started
    return row(case, side, latencies, seconds, meter.stop(), lost=lost)


def run(args) -> dict:
    from stack import URLS

    servers = KafkaBus.from_url(URLS["bus"]).servers
    with contextlib.suppress(TopicAlreadyExistsError):
        admin = KafkaAdminClient(bootstrap_servers=servers)
        try:
            admin.create_topics([NewTopic(BASELINE_TOPIC, 1, 1)])
        finally:
            admin.close()
    messages = 10 if args.quick else 200
    reader = Reader(servers, [EVENTS, BASELINE_TOPIC])
    reader.start()
    reader.ready.wait(30)
    rows = []
    try:
        with server("real") as running:
            http = requests.Session()
            ada, bob = signup(running.base, "b3-ada", http), signup(running.base, "b3-bob", http)

            def post(key: str) -> None:
                body = {"to_user": bob["uuid"], "text": key}
                http.post(
                    f"{running.base}/messages", headers=auth(ada), json=body
                ).raise_for_status()

            case = "HTTP POST /messages → Kafka"
            rows.append(measure(post, reader, running.cpu(), messages, case, PROJECT))

            parts = urlsplit(URLS["mqtt"])
            publisher = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2, client_id=f"b3-{uuid.uuid4().hex[:8]}"
            )
            if parts.username:
                publisher.username_pw_set(parts.username, parts.password)
            publisher.connect(parts.hostname, parts.port or 1883)
            publisher.loop_start()

            def publish(key: str) -> None:
                payload = {"token": ada["token"], "text": key, "client_id": key}
                topic = f"townsquare/chat/user/{bob['uuid']}"
                publisher.publish(topic, json.dumps(payload), qos=1).wait_for_publish(TIMEOUT)

            try:
                case = "MQTT publish → bridge → Kafka"
                rows.append(measure(publish, reader, running.cpu(), messages, case, PROJECT))
            finally:
                publisher.loop_stop()
                publisher.disconnect()

        producer = KafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=2)

        def produce(key: str) -> None:
            body = {"uuid": key, "text": key, "sender_uuid": ada["uuid"], "to_user": bob["uuid"]}
            event = encode(make_event("message.created", key, body))
            producer.send(BASELINE_TOPIC, event, key=key.encode()).get(timeout=TIMEOUT)

        me = CpuMeter([os.getpid()])
        for case in ("HTTP POST /messages → Kafka", "MQTT publish → bridge → Kafka"):
            rows.append(measure(produce, reader, me, messages, case, "bare kafka-python producer"))
        producer.close()
    finally:
        reader.stop.set()
        reader.join(5)
    return {
        "title": "ingest into Kafka beside a bare producer",
        "unit": "message on the log",
        "rows": rows,
        "columns": ["lost"],
        "notes": [
            "One message at a time. The bare producer runs once per case (same payloads). "
            "Other servers on the shared stack may also bridge the same MQTT topics."
        ],
    }


if __name__ == "__main__":
    standalone("bench.ingest")
