"""Benchmark: archival through the event path, and B4 (archival vs raw execute_concurrent).

Lag: a Townsquare (the emulator: HTTP, every event consumer in its own thread, cron) takes
`POST /messages` at --rate per second for --seconds; a watcher polls the archive for every
message not archived yet. A message's lag is from its created_at to the moment the
watcher first finds it archived (resolution: --poll). The sweep runs too, but only for
messages older than 30 s: what it archives shows as lag of 30 s and more.

B4 (real backends only): archive --rows messages through Content.archive_messages in
batches of 100 (what the event path does per poll: insert-if-absent by uuid, then the
archive row) beside raw `execute_concurrent_with_args` of the same archive rows on the
same Cassandra session (one plain INSERT each). Prints both and the ratio.

Outbox (real only): 200 publish() calls through the Kafka bus's outbox beside 200
producer sends waited for acks=all (the path before the outbox), on a test topic of its
own, and the time the relay still needs after the last publish.

    .venv/bin/python bench/archival_lag.py --backends real          # 20/s for 60 s, B4 2000
    .venv/bin/python bench/archival_lag.py --seconds 20              # embedded, lag only

`run(args) -> dict` is the entry point for a harness; its args are this parser's.
On Kafka the run's consumer groups are its own, started at the log's end and deleted after.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

from functions.registry import EventTrigger, load
from shared.context import Services
from shared.records import Message, new_uuid, parse_time
from shared.settings import Settings
from tests.buslog import forget_groups, start_at_the_end
from triggers.emulator import Emulator

BATCH = 100  # deliveries one poll hands a batch function


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    p.add_argument("--rate", type=float, default=20.0, help="messages per second")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--poll", type=float, default=0.05, help="seconds between archive looks")
    p.add_argument("--rows", type=int, default=2000, help="B4: messages archived")
    return p


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def settings_for(backends: str, data: Path) -> Settings:
    overrides: dict[str, str] = {}
    if backends == "real":
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items() if port != "mqtt"}
    overrides["event_group_prefix"] = f"townsquare.bench-{uuid.uuid4().hex[:8]}.fn."
    # its own limits: other clients on 127.0.0.1 share the per-address sign-in count
    limits = {"write_rate_per_minute": 100_000, "auth_attempts_per_address": 100_000}
    return Settings(data_dir=data, _env_file=None, **limits, **overrides)


def person(base: str, name: str) -> tuple[str, str]:
    email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "name": name, "password": "bench password 1"}
    requests.post(f"{base}/auth/signup", json=body, timeout=30).raise_for_status()
    login = requests.post(f"{base}/auth/login", json=body, timeout=30)
    login.raise_for_status()
    return login.json()["user"]["uuid"], login.json()["token"]


def lag(args, settings: Settings) -> dict:
    groups = [
        settings.event_group(f.name) for f in load().functions.values() if f.of_kind(EventTrigger)
    ]
    setup = Services(settings)
    start_at_the_end(setup.bus, groups)
    setup.close()
    emulator = Emulator(settings, host="127.0.0.1", port=0, mqtt_port=0)
    emulator.start()
    sent: dict[str, datetime] = {}
    archived: dict[str, float] = {}
    sending = threading.Event()
    sending.set()
    try:
        base = emulator.base_url
        _, token = person(base, "Ada")
        bob, _ = person(base, "Bob")
        headers = {"Authorization": f"Bearer {token}"}
        content = emulator.services.content

        def watch() -> None:
            while sending.is_set() or len(archived) < len(sent):
                for message_uuid in [u for u in list(sent) if u not in archived]:
                    if content.get_archived_message(message_uuid) is not None:
                        archived[message_uuid] = time.time()
                time.sleep(args.poll)
                if not sending.is_set() and time.monotonic() > give_up:
                    return

        give_up = float("inf")
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started, count = time.monotonic(), int(args.rate * args.seconds)
        send_ms: list[float] = []
        with requests.Session() as http:
            for n in range(count):
                time.sleep(max(0.0, started + n / args.rate - time.monotonic()))
                t0 = time.perf_counter()
                answer = http.post(
                    f"{base}/messages",
                    json={"to_user": bob, "text": f"bench {n}"},
                    headers=headers,
                    timeout=30,
                )
                send_ms.append(1000 * (time.perf_counter() - t0))
                answer.raise_for_status()
                message = answer.json()["message"]
                sent[message["uuid"]] = parse_time(message["created_at"])
        give_up = time.monotonic() + 120
        sending.clear()
        watcher.join()
    finally:
        emulator.shutdown()
        cleanup = Services(settings)
        forget_groups(cleanup.bus, groups)
        cleanup.close()
    lags = [archived[u] - at.timestamp() for u, at in sent.items() if u in archived]
    return {
        "messages": len(sent),
        "archived": len(archived),
        "lag_p50_s": round(statistics.median(lags), 3) if lags else None,
        "lag_p99_s": round(percentile(lags, 0.99), 3) if lags else None,
        "lag_max_s": round(max(lags), 3) if lags else None,
        "send_p50_ms": round(statistics.median(send_ms), 2),
        "send_p99_ms": round(percentile(send_ms, 0.99), 2),
    }


def b4(args, settings: Settings) -> dict:
    """Content.archive_messages in batches of BATCH vs raw execute_concurrent_with_args."""
    from cassandra.concurrent import execute_concurrent_with_args

    from shared.adapters.content import rows

    services = Services(settings)
    content = services.content
    now = datetime.now(UTC)

    def messages() -> list[Message]:
        sender, to = str(uuid.uuid4()), str(uuid.uuid4())
        return [Message(new_uuid(), sender, to, None, f"b4 {n}", now) for n in range(args.rows)]

    ours = messages()
    t0 = time.perf_counter()
    for start in range(0, len(ours), BATCH):
        content.archive_messages(ours[start : start + BATCH])
    ours_s = time.perf_counter() - t0

    raw = messages()
    session = content._db()
    cql, _ = content._insert("messages_archive", rows.message_row(raw[0]), False)
    statement = session.prepare(cql)
    params = [content._insert("messages_archive", rows.message_row(m), False)[1] for m in raw]
    t0 = time.perf_counter()
    results = execute_concurrent_with_args(session, statement, params, concurrency=100)
    raw_s = time.perf_counter() - t0
    assert all(ok for ok, _ in results)
    services.close()
    return {
        "rows": args.rows,
        "townsquare_rows_per_s": round(args.rows / ours_s, 1),
        "raw_rows_per_s": round(args.rows / raw_s, 1),
        "ratio": round(ours_s / raw_s, 2),
    }


def outbox(args, settings: Settings) -> dict:
    """Kafka only: publish() through the outbox vs the old path, a producer send waited
    for acks=all, on one test topic; and how long the relay takes to empty the outbox."""
    from kafka import KafkaProducer

    from shared.adapters.bus.kafka import KafkaBus
    from shared.events import encode, make_event

    bus = KafkaBus.from_url(settings.url("bus"))
    topic = f"bench-outbox-{uuid.uuid4().hex[:8]}"
    bus._ensure_topics([topic])
    events = [encode(make_event("bench.outbox", new_uuid(), {"n": n})) for n in range(200)]
    ours: list[float] = []
    for value in events:
        t0 = time.perf_counter()
        bus.publish_raw(value, key=None, topic=topic)
        ours.append(1000 * (time.perf_counter() - t0))
    t0 = time.perf_counter()
    bus.flush([topic], 60)
    relayed_s = time.perf_counter() - t0
    producer = KafkaProducer(bootstrap_servers=bus.servers, acks="all", linger_ms=2)
    direct: list[float] = []
    for value in events:
        t0 = time.perf_counter()
        producer.send(topic, value=value).get(timeout=30)
        direct.append(1000 * (time.perf_counter() - t0))
    producer.close()
    bus.close()
    return {
        "publish_p50_ms": round(statistics.median(ours), 2),
        "publish_p99_ms": round(percentile(ours, 0.99), 2),
        "direct_acks_all_p50_ms": round(statistics.median(direct), 2),
        "direct_acks_all_p99_ms": round(percentile(direct, 0.99), 2),
        "relay_after_last_publish_s": round(relayed_s, 3),
    }


def run(args) -> dict:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="townsquare-bench-") as data:
        settings = settings_for(args.backends, Path(data))
        result = {"backends": args.backends, "rate": args.rate, "seconds": args.seconds}
        result["lag"] = lag(args, settings)
        if args.backends == "real":
            result["b4"] = b4(args, settings)
            result["outbox"] = outbox(args, settings)
    return result


if __name__ == "__main__":
    print(json.dumps(run(parser().parse_args()), indent=2))
