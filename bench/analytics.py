"""Benchmark: the analytics run and the export, each beside its raw baseline.

1. Insights vs an empty Spark job, on the same (warm) SparkSession: computing each
   insight from the exported frames, against `spark.range(1).count()` — the fixed cost
   of any job (scheduling, a task, collecting a row).
2. The export vs a raw driver scan of the same rows: the export reads every dataset
   through the ports and writes Parquet by day; the baseline reads the same tables with
   the bare driver (sqlite3, or psycopg + cassandra-driver + kafka-python) and keeps
   nothing. A second, incremental export (nothing changed) is timed too.

    .venv/bin/python bench/analytics.py                  # embedded, on a demo community
    .venv/bin/python bench/analytics.py --users 240      # the size `make dev` loads
    .venv/bin/python bench/analytics.py --backends real  # the stack's servers and Spark cluster

Loopback only; bounded (one community, --repeat runs of each); stops by itself.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import PROJECT, row, standalone
from shared.context import Services
from shared.settings import Settings
from workflows.analytics.export import export
from workflows.analytics.insights import INSIGHTS, window
from workflows.analytics.spark import frames, session

ACCOUNTS_TABLES = ("user_master", "user_group_master", "user_group_user_list")
CONTENT_TABLES = ("post_master", "post_counters", "post_comments", "post_reactions",
                  "share_master", "messages_by_uuid", "device_logs")  # fmt: skip


def timed(action, repeat: int) -> float:
    """The median seconds of `repeat` runs of action()."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_scan_embedded(settings: Settings) -> int:
    rows = 0
    for port, tables in (("accounts", ACCOUNTS_TABLES), ("content", CONTENT_TABLES),
                         ("bus", ("records",))):  # fmt: skip
        path = settings.url(port).removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            for table in tables:
                rows += sum(1 for _ in db.execute(f"SELECT * FROM {table}"))
    return rows


def raw_scan_real() -> int:
    import psycopg
    from cassandra.cluster import Cluster
    from kafka import KafkaConsumer, TopicPartition

    from shared.ports.bus import EVENTS
    from stack import URLS

    rows = 0
    with psycopg.connect(URLS["accounts"]) as db:
        for table in ACCOUNTS_TABLES:
            rows += sum(1 for _ in db.execute(f"SELECT * FROM {table}"))
    host, port = URLS["content"].removeprefix("cassandra://").split("/")[0].split(":")
    cluster = Cluster([host], port=int(port))
    session_ = cluster.connect("townsquare")
    for table in CONTENT_TABLES:
        rows += sum(1 for _ in session_.execute(f"SELECT * FROM {table}"))
    cluster.shutdown()
    consumer = KafkaConsumer(bootstrap_servers=URLS["bus"].removeprefix("kafka://"), group_id=None)
    parts = [TopicPartition(EVENTS, p) for p in consumer.partitions_for_topic(EVENTS)]
    consumer.assign(parts)
    ends = consumer.end_offsets(parts)
    consumer.seek_to_beginning(*parts)
    while any(consumer.position(tp) < end for tp, end in ends.items()):
        rows += sum(len(batch) for batch in consumer.poll(timeout_ms=1000).values())
    consumer.close()
    return rows


def community(args, folder: Path) -> Services:
    if args.backends == "real":
        from stack import URLS

        urls = {f"{port}_url": url for port, url in URLS.items() if port != "mqtt"}
        return Services(Settings(data_dir=folder, _env_file=None, **urls))
    from tests.analytics.community import add_history, load_demo

    services = Services(Settings(data_dir=folder, _env_file=None, password_time_cost=1,
                                 password_memory_kib=1024))  # fmt: skip
    load_demo(services, users=args.users)
    add_history(services)
    return services


def run(args) -> dict:
    sized = {"users": 30 if args.quick else 120, "repeat": 1 if args.quick else 3}
    args = argparse.Namespace(**{**sized, **vars(args)})  # the script's own options win
    with tempfile.TemporaryDirectory() as tmp:
        services = community(args, Path(tmp) / "data")
        try:
            rows, notes = measure(services, Path(tmp) / "export", args)
        finally:
            services.close()
    return {
        "title": f"analytics: export and insights beside raw scans and an empty Spark job "
        f"(median of {args.repeat})",
        "unit": "step run (ops/s = 1 / seconds)",
        "rows": rows,
        "columns": ["seconds"],
        "notes": notes,
    }


def main() -> None:
    standalone("bench.analytics", ("--users", 120), ("--repeat", 3))


def measure(services: Services, root: Path, args) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []

    def step(name, ours, baseline, theirs):
        rows.append(row(name, PROJECT, seconds=ours, ops=1))
        rows.append(row(name, baseline, seconds=theirs, ops=1))

    first = time.perf_counter()
    outcome = export(services, root)
    first = time.perf_counter() - first
    exported_rows = sum(outcome.rows.values())
    scan = (
        raw_scan_real if args.backends == "real" else lambda: raw_scan_embedded(services.settings)
    )
    raw_rows = scan()
    raw = timed(scan, args.repeat)
    notes = [f"export: {exported_rows} rows through the ports; raw scan: {raw_rows} rows"]
    step("export, first (all days)", first, "raw driver scan", raw)
    step("export, incremental (none changed)", timed(lambda: export(services, root), args.repeat),
         "raw driver scan", raw)  # fmt: skip

    started = time.perf_counter()
    spark = session(services.settings)
    exported = frames(spark, root)
    _, end = window(exported)
    notes.append(
        f"Spark session ({spark.sparkContext.master}): {time.perf_counter() - started:.1f} s"
    )
    empty = timed(lambda: spark.range(1).count(), args.repeat)
    total = 0.0
    for name, compute in INSIGHTS.items():
        compute(exported, end)  # warm: plans and code generation of this one
        seconds = timed(lambda c=compute: c(exported, end), args.repeat)
        total += seconds
        step(f"insight {name}", seconds, "empty Spark job", empty)
    step("all six insights", total, "empty Spark job", empty)
    return rows, notes


if __name__ == "__main__":
    main()
