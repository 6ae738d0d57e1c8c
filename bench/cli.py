"""`townsquare bench`: its options and the registry of benchmarks (light: the machinery,
with its load generators, is imported only to run; see bench/harness.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"

REGISTRY: dict[str, str] = {
    "B1": "bench.chat_push",  # chat send -> push, beside redis-py pub/sub and python-socketio
    "B1s": "bench.sockets",  # idle sockets per process
    "B2": "bench.feed",  # GET /feed beside GET /health/live on the same server
    "B2s": "bench.sends",  # POST /messages (direct) beside GET /health/live on the same server
    "B3": "bench.ingest",  # MQTT / HTTP -> Kafka beside a bare producer (real backends)
    "B4": "bench.archival_lag",  # archival beside raw execute_concurrent
    "B5": "bench.analytics",  # insights and export beside an empty Spark job / raw scans
    "B6": "bench.search_freshness",  # write -> searchable beside the engine's refresh
    "B7": "bench.search_speed",  # indexing and queries beside the raw engine
    "B8": "bench.graph_speed",  # graph writes and suggestions beside raw Cypher / SQL
    "B9": "bench.anomaly",  # anomaly scoring beside the bare river model
    "B10": "bench.outage",  # a backend down -> 503, beside the bare driver call (private servers)
}
"""Name -> module with `run(args) -> dict`. A module not in this checkout is listed as
missing, never run."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(REGISTRY)}")
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON and chart go")
    parser.add_argument(
        "--sizes", default=None, help="comma-separated sizes instead of a benchmark's own"
    )
    parser.add_argument("--duration", type=float, default=None, help="seconds per load phase")
    parser.add_argument(
        "--table",
        nargs="+",
        type=Path,
        metavar="RUN.json",
        help="rewrite bench/README.md's table (and each run's chart) from these runs",
    )
    parser.add_argument(
        "--readme", type=Path, default=README, help="the README whose table --table rewrites"
    )


def main(args: argparse.Namespace) -> int:
    from bench.harness import chart, run_suite, write_readme_table

    if args.table:
        write_readme_table(args.table, args.readme)
        for run in args.table:  # and each run's chart, from the same JSON
            chart(json.loads(run.read_text()), run.with_suffix(".png"))
        print(f"rewrote the table in {args.readme} and the charts beside the runs")
        return 0
    run_suite(args)
    return 0
