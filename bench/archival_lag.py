"""B4: archival through the event path, beside the archive write alone; on real backends
also batched archival beside raw `execute_concurrent`, and the Kafka outbox beside a send
waited for acks=all.

Lag: a Townsquare server (`harness.server()`: every event consumer in its own thread, cron
too) takes direct messages (`POST /messages`) at 20 per second for 60 s (--quick: 3 s;
--duration sets it); a watcher in this process polls the archive every 50 ms for every
message not archived yet. A message's lag runs from its created_at to the moment the
watcher first finds it archived; `lost`: not archived 60 s after the last send. The sweep
runs too, but only takes messages 30 s old. Its baseline, in the same run on the same
store: the archive write alone (`Content.archive_messages` of one message, from this
process) — the floor under the lag, without the event path.

Batches (real only): 2,000 messages (--quick 200) through `Content.archive_messages` in
batches of 100 (what the event path does per poll: insert-if-absent by uuid, then the
archive row) beside raw `execute_concurrent_with_args` of the same archive rows on the
same Cassandra session (one plain INSERT each, 100 at a time).

Outbox (real only): 200 `publish()` calls through the Kafka bus's outbox beside 200
producer sends waited for acks=all (the path before the outbox), on a topic of its own;
`relay_s`: how long the relay still needs after the last publish.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import requests

from bench.harness import PROJECT, Stopwatch, auth, row, server, signup, standalone
from shared.breakers import unguarded
from shared.context import Services
from shared.records import Message, new_uuid, parse_time
from shared.settings import Settings

RATE = 20.0  # messages per second
BATCH = 100  # deliveries one poll hands a batch function
POLL = 0.05  # seconds between the watcher's looks at the archive
GIVE_UP = 60.0  # seconds after the last send a message may still take


def store_of(running, backends: str) -> Services:
    """Services (only content is opened) on the server's own backends."""
    overrides: dict[str, str] = {}
    if backends == "real":
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items()}
    return Services(Settings(data_dir=running.data, _env_file=None, **overrides))


def lag(running, content, seconds: float) -> tuple[dict, list[Message]]:
    """The lag row, and the messages sent (for the baseline)."""
    sender, recipient = signup(running.base, "ada"), signup(running.base, "bob")
    sent: dict[str, datetime] = {}
    archived: dict[str, float] = {}
    sending = threading.Event()
    sending.set()

    def watch() -> None:
        while sending.is_set() or (len(archived) < len(sent) and time.time() < give_up):
            for message_uuid in [u for u in list(sent) if u not in archived]:
                if content.get_archived_message(message_uuid) is not None:
                    archived[message_uuid] = time.time()
            time.sleep(POLL)

    give_up = float("inf")
    watcher = threading.Thread(target=watch, daemon=True)
    meter = running.cpu().start()
    watcher.start()
    started = time.monotonic()
    with requests.Session() as http:
        for n in range(int(RATE * seconds)):
            time.sleep(max(0.0, started + n / RATE - time.monotonic()))
            body = {"to_user": recipient["uuid"], "text": f"bench {n}"}
            answer = http.post(f"{running.base}/messages", json=body, headers=auth(sender))
            answer.raise_for_status()
            message = answer.json()["message"]
            sent[message["uuid"]] = parse_time(message["created_at"])
    give_up = time.time() + GIVE_UP
    sending.clear()
    watcher.join()
    cpu = meter.stop()
    lags = [archived[u] - at.timestamp() for u, at in sent.items() if u in archived]
    lost = len(sent) - len(lags)
    case = f"archival lag at {RATE:g} msgs/s"
    now = datetime.now(UTC)
    alike = [  # the same conversation and texts, new uuids, for the baseline
        Message(new_uuid(), sender["uuid"], recipient["uuid"], None, f"bench {n}", now)
        for n in range(len(sent))
    ]
    return row(case, PROJECT, lags, seconds, cpu, lost=lost), alike


def archive_alone(content, messages: list[Message], case: str) -> dict:
    clock = Stopwatch()
    times = [clock(lambda m=m: content.archive_messages([m])) for m in messages]
    return row(case, "archive write alone", times, clock.wall, clock.cpu)


def batches(content, count: int) -> list[dict]:
    """Content.archive_messages in batches of BATCH vs raw execute_concurrent_with_args."""
    from cassandra.concurrent import execute_concurrent_with_args

    from shared.adapters.content import rows

    def messages() -> list[Message]:
        sender, to, now = str(uuid.uuid4()), str(uuid.uuid4()), datetime.now(UTC)
        return [Message(new_uuid(), sender, to, None, f"b4 {n}", now) for n in range(count)]

    ours, clock = messages(), Stopwatch()
    for start in range(0, len(ours), BATCH):
        clock(lambda start=start: content.archive_messages(ours[start : start + BATCH]))
    raw, raw_clock = messages(), Stopwatch()
    cassandra = unguarded(content)  # the driver's session and CQL, behind the breaker
    session = cassandra._db()
    cql, _ = cassandra._insert("messages_archive", rows.MESSAGE.row(raw[0]), False)
    statement = session.prepare(cql)
    params = [cassandra._insert("messages_archive", rows.MESSAGE.row(m), False)[1] for m in raw]
    results = []
    raw_clock(
        lambda: results.extend(
            execute_concurrent_with_args(session, statement, params, concurrency=100)
        )
    )
    assert all(ok for ok, _ in results)
    case = f"{count} messages archived in batches of {BATCH}"
    return [
        row(case, PROJECT, None, clock.wall, clock.cpu, ops=count),
        row(case, "raw execute_concurrent", None, raw_clock.wall, raw_clock.cpu, ops=count),
    ]


def outbox() -> list[dict]:
    """publish() through the outbox vs a producer send waited for acks=all, one topic."""
    import tempfile

    from kafka import KafkaProducer

    from shared.adapters.bus.kafka import KafkaBus
    from shared.events import encode, make_event
    from stack import URLS

    with tempfile.TemporaryDirectory(prefix="townsquare-bench-outbox-") as folder:
        settings = Settings(data_dir=folder, _env_file=None, bus_url=URLS["bus"])
        bus = KafkaBus.from_url(settings.url("bus"))  # its outbox in the folder
        topic = f"bench-outbox-{uuid.uuid4().hex[:8]}"
        bus._ensure_topics([topic])
        values = [encode(make_event("bench.outbox", new_uuid(), {"n": n})) for n in range(200)]
        ours, clock = [], Stopwatch()
        for value in values:
            ours.append(clock(lambda v=value: bus.publish_raw(v, key=None, topic=topic)))
        t0 = time.perf_counter()
        bus.flush([topic], 60)
        relayed = time.perf_counter() - t0
        producer = KafkaProducer(bootstrap_servers=bus.servers, acks="all", linger_ms=2)
        direct, raw_clock = [], Stopwatch()
        for value in values:
            direct.append(raw_clock(lambda v=value: producer.send(topic, value=v).get(timeout=30)))
        producer.close()
        bus.close()
    case = "publish 200 events"
    return [
        row(case, PROJECT, ours, clock.wall, clock.cpu, relay_s=round(relayed, 3)),
        row(case, "producer send, acks=all", direct, raw_clock.wall, raw_clock.cpu),
    ]


def run(args) -> dict:
    seconds = args.duration or (3.0 if args.quick else 60.0)
    with server(args.backends) as running:
        services = store_of(running, args.backends)
        try:
            lagged, messages = lag(running, services.content, seconds)
            rows = [lagged, archive_alone(services.content, messages, lagged["case"])]
            if args.backends == "real":
                rows += batches(services.content, 200 if args.quick else 2000)
                rows += outbox()
        finally:
            services.close()
    return {
        "title": "archival through the event path, beside the archive write alone",
        "unit": "message archived",
        "rows": rows,
        "columns": ["lost", "relay_s"],
        "notes": [
            f"Direct messages at {RATE:g}/s for {seconds:g} s; the lag is from created_at "
            f"until a watcher polling every {1000 * POLL:.0f} ms finds the message archived; "
            "the archive write alone runs from this process on the same store. CPU: the "
            "server for the lag, this process for the rest."
        ],
    }


if __name__ == "__main__":
    standalone("bench.archival_lag")
