"""Benchmark: time to a 503 during a backend outage, beside the bare driver call it waits on.

Private PostgreSQL and Redis (stack/private.py, ports moved by 340) and one in-process
Townsquare on them (tests/chaos/outage.py). For each outage — Redis frozen (SIGSTOP),
Redis killed, PostgreSQL killed, PostgreSQL frozen — a request that needs the down backend is sent
--requests times in a row: the first answers wait for the driver's timeout, then the
port's circuit breaker opens and the rest answer at once. Reported: the first, the worst
and the median answer time, and the statuses (a call still unanswered after --bound seconds is "no answer"). The baseline, in the same run against the
same down server, is one bare driver call with the same options (redis-py with
Settings.live_timeout; psycopg with connect_timeout), and the ratio worst ÷ baseline.

    .venv/bin/python bench/outage.py
    .venv/bin/python bench/outage.py --requests 20 --json artifacts/outage.json

Starts and stops its own servers; bounded by --requests; loopback only.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import psycopg
import redis

from tests.chaos.outage import Outages

CASES = [  # (outage, server, how, method, path)
    ("Redis frozen", "redis", "paused", "GET", "/users/me"),
    ("Redis killed", "redis", "stopped", "GET", "/users/me"),
    ("PostgreSQL killed", "postgres", "stopped", "POST", "/auth/signup"),
    ("PostgreSQL frozen", "postgres", "paused", "POST", "/auth/signup"),
]
NO_ANSWER = 0  # the status recorded for a call still unanswered after --bound seconds
SIGNUP = {"email": "bench@example.org", "name": "Bench", "password": "long enough pw"}


def bare_call(world: Outages, server: str) -> float:
    """Seconds one bare driver call with Townsquare's options takes to fail."""
    settings = world.services.settings
    t0 = time.perf_counter()
    try:
        if server == "redis":
            timeout = settings.live_timeout
            client = redis.Redis.from_url(
                world.stack["redis"].url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
            client.get("townsquare:bench")
        else:
            url = world.stack["postgres"].url
            timeout = max(2, math.ceil(settings.backend_timeout))
            psycopg.connect(url, connect_timeout=timeout).close()
    except Exception:
        pass
    return time.perf_counter() - t0


def one_case(world: Outages, case: tuple, requests: int, bound: float) -> dict:
    outage, server, how, method, path = case
    api = world.api
    ada = api.person("Ada")  # signed in before the outage: the session is in live
    body = {"json": SIGNUP} if method == "POST" else {}
    calls = ThreadPoolExecutor(requests + 1)  # a call left hanging must not stop the run
    with getattr(world, how)(server):
        times, statuses, retry_after = [], Counter(), set()
        for _ in range(requests):
            t0 = time.perf_counter()
            try:
                answer, seconds = calls.submit(world.timed, method, path, ada, **body).result(
                    timeout=bound
                )
            except FutureTimeout:
                times.append(time.perf_counter() - t0)
                statuses[NO_ANSWER] += 1
                continue
            times.append(seconds)
            statuses[answer.status_code] += 1
            retry_after.add(answer.headers.get("Retry-After"))
        try:
            baseline = calls.submit(bare_call, world, server).result(timeout=bound)
        except FutureTimeout:
            baseline = bound
    calls.shutdown(wait=True)  # the server is back: hanging calls end
    worst = max(times)
    recovered = world.recovered(lambda: api.get("/health").status_code == 200)
    return {
        "outage": outage,
        "request": f"{method} {path}",
        "first_ms": 1000 * times[0],
        "worst_ms": 1000 * worst,
        "median_ms": 1000 * statistics.median(times),
        "statuses": dict(statuses),
        "retry_after": sorted(r for r in retry_after if r),
        "baseline_ms": 1000 * baseline,
        "ratio": worst / baseline if baseline else math.inf,
        "recovered": recovered,
    }


def run(args) -> dict:
    logging.basicConfig(level=logging.ERROR)
    world = Outages(reset=args.reset).start()
    try:
        rows = [one_case(world, case, args.requests, args.bound) for case in CASES]
    finally:
        world.close()
    return {"requests": args.requests, "breaker_reset_s": args.reset, "rows": rows}


def table(result: dict) -> str:
    lines = [
        "| outage | request | first ms | worst ms | median ms | statuses | Retry-After | "
        "bare driver ms | worst ÷ bare | recovered |",
        "|---|---|---:|---:|---:|---|---|---:|---:|---|",
    ]
    for row in result["rows"]:
        statuses = ", ".join(
            f"{n}× {code or 'no answer'}" for code, n in sorted(row["statuses"].items())
        )
        lines.append(
            f"| {row['outage']} | `{row['request']}` | {row['first_ms']:.0f} | "
            f"{row['worst_ms']:.0f} | {row['median_ms']:.1f} | {statuses} | "
            f"{', '.join(row['retry_after'])} | {row['baseline_ms']:.0f} | "
            f"{row['ratio']:.2f}× | {'yes' if row['recovered'] else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=12)
    parser.add_argument("--reset", type=float, default=2.0, help="breaker_reset_seconds")
    parser.add_argument(
        "--bound", type=float, default=10.0, help="seconds the bench waits for one answer"
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    result = run(args)
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
