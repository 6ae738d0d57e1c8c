"""Benchmark: anomaly scoring throughput (events/s), beside the bare river model.

The same stream of `message.created` events (ACCOUNTS senders, one of them bursting) is
scored three ways in one run:

1. bare: river's rolling median and IQR, in memory, updated and read per event — the
   model alone, with no store and no event handling;
2. function: `anomalies.count_message([event], ctx)` called per event — the per-minute
   counter in the live store, the baseline's learning and, past the floor, the judgement;
3. dispatched: the same events appended to the bus and run by the event dispatcher
   (decode, the function, its invocation metrics, the offset commit).

Prints events/s for each and the ratios to the bare model.

    .venv/bin/python bench/anomaly.py                  # embedded (fakeredis, SQLite log)
    .venv/bin/python bench/anomaly.py --backends real  # live store on the stack's Redis

With --backends real only the live store is real (the detector's state lives there), in a
Redis database of the benchmark's own (BENCH_DB, emptied when done: the baselines it
learns are not the deployment's); the bus stays the embedded log, so the dispatcher does
not join a shared Kafka. In-process, bounded by --events; stops by itself.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
import uuid
from pathlib import Path

from river import stats

from bench.harness import PROJECT, row, standalone
from functions.anomalies.counters import count_message
from functions.anomalies.detector import LEARN_WINDOW, THRESHOLD
from functions.registry import Registry
from shared.context import Context, Services
from shared.events import make_event
from shared.settings import Settings
from triggers.kafka import EventDispatcher

ACCOUNTS = 200
BENCH_DB = 9


def stream(n: int, seed: int = 5) -> list:
    """n message.created events: ACCOUNTS senders at random, one in 20 from a burster."""
    rng = random.Random(seed)
    senders = [str(uuid.uuid4()) for _ in range(ACCOUNTS)]
    burster = senders[0]
    events = []
    for _ in range(n):
        sender = burster if rng.random() < 0.05 else rng.choice(senders)
        events.append(make_event("message.created", sender, {"sender_uuid": sender}))
    return events


def bare(events: list) -> tuple[int, float]:
    """The model alone: per event, update the rolling median and IQR and score a count."""
    median, iqr = stats.RollingQuantile(0.5, LEARN_WINDOW), stats.RollingIQR(LEARN_WINDOW)
    counts: dict[str, int] = {}
    flagged = 0
    started = time.perf_counter()
    for event in events:
        sender = event.data["sender_uuid"]
        counts[sender] = counts.get(sender, 0) + 1
        median.update(counts[sender])
        iqr.update(counts[sender])
        spread = max((iqr.get() or 0.0) / 1.349, 1.0)
        flagged += (counts[sender] - (median.get() or 0.0)) / spread > THRESHOLD
    return len(events), time.perf_counter() - started


def function(events: list, ctx: Context) -> tuple[int, float]:
    started = time.perf_counter()
    for event in events:
        count_message([event], ctx)
    return len(events), time.perf_counter() - started


def dispatched(events: list, services: Services) -> tuple[int, float]:
    registry = Registry()
    registry.on_event("message.created", batch=True)(count_message)
    dispatcher = EventDispatcher(services, registry)
    dispatcher.drain()  # join the log before timing
    for event in events:
        services.bus.publish(event, key=event["subject"])
    started = time.perf_counter()
    handled = dispatcher.drain(rounds=100_000)
    seconds = time.perf_counter() - started
    dispatcher.close()
    assert handled >= len(events), (handled, len(events))  # plus the flags it raised
    return handled, seconds


def run(args) -> dict:
    n = getattr(args, "events", 500 if args.quick else 5000)
    logging.getLogger("townsquare").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        overrides = {}
        if args.backends == "real":
            from stack import URLS

            overrides["live_url"] = URLS["live"].rsplit("/", 1)[0] + f"/{BENCH_DB}"
        settings = Settings(data_dir=Path(folder), _env_file=None, **overrides)
        services = Services(settings)
        ctx = Context(services=services)
        rows = []
        for side, measure in (
            ("bare river model", lambda: bare(stream(n))),
            ("count_message called", lambda: function(stream(n, seed=6), ctx)),
            (PROJECT, lambda: dispatched(stream(n, seed=7), services)),
        ):
            cpu = time.process_time()
            count, seconds = measure()
            cpu = time.process_time() - cpu
            rows.append(row(f"{n} events", side, seconds=seconds, cpu_seconds=cpu, ops=count))
        if args.backends == "real":
            services.live.client.flushdb()
        services.close()
    return {
        "title": "anomaly scoring (through the event dispatcher) beside the bare river model",
        "unit": "event scored",
        "rows": rows,
        "notes": [
            f"{ACCOUNTS} senders; in one process (CPU: this process, setup included for the "
            "dispatcher's row); --backends real: only the live store is real."
        ],
    }


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    standalone("bench.anomaly", ("--events", 5000))


if __name__ == "__main__":
    main()
