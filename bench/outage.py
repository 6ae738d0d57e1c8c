"""B10: time to a 503 during a backend outage, beside the bare driver call it waits on.

Private PostgreSQL and Redis (stack/private.py, ports moved by 360: the shared stack's
servers are never touched) and a Townsquare server on them (`harness.server()`, its other
ports embedded). For each outage — Redis frozen (SIGSTOP), Redis killed, PostgreSQL
killed, PostgreSQL frozen — a request that needs the down backend is sent --requests
times in a row (--quick: 6) by someone signed in before it: the first answers wait for the
driver's timeout, then the port's circuit breaker opens and the rest answer at once.
Recorded for Townsquare: every answer's time (one still unanswered after --bound seconds
counts as "no answer", at the bound), the first one, the statuses, and whether /health is
200 again once the server is back. The baseline, in the same run against the same down
server: the bare driver call with Townsquare's options (redis-py with live_timeout;
psycopg with connect_timeout), three times.

    .venv/bin/python bench/outage.py
    .venv/bin/python bench/outage.py --requests 20

Needs the servers' programs (as `townsquare stack up` installs them), not the shared
stack; starts and stops its own; loopback only.
"""

from __future__ import annotations

import math
import time
from collections import Counter

import psycopg
import redis
import requests

from bench.harness import PROJECT, auth, row, server, signup, standalone
from shared.settings import Settings
from tests.chaos.outage import Outages

BACKENDS = {"real"}
"""The real drivers' timeouts are what this measures (the servers are private ones)."""

OFFSET = 360  # ports apart from the fail-fast checks' private servers (340)
CASES = [  # (outage, server, how, method, path)
    ("Redis frozen", "redis", "paused", "GET", "/users/me"),
    ("Redis killed", "redis", "stopped", "GET", "/users/me"),
    ("PostgreSQL killed", "postgres", "stopped", "POST", "/auth/signup"),
    ("PostgreSQL frozen", "postgres", "paused", "POST", "/auth/signup"),
]
BARE_CALLS = 3
SIGNUP = {"email": "bench@example.org", "name": "Bench", "password": "long enough pw"}


def bare_call(world: Outages, server_name: str) -> float:
    """Seconds one bare driver call with Townsquare's options takes to fail."""
    settings = Settings(_env_file=None, **world.settings())
    t0 = time.perf_counter()
    try:
        if server_name == "redis":
            timeout = settings.live_timeout
            client = redis.Redis.from_url(
                world.stack["redis"].url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
            client.get("townsquare:bench")
        else:
            timeout = max(
                2, math.ceil(settings.accounts_timeout)
            )  # libpq: whole seconds, 2 at least
            psycopg.connect(world.stack["postgres"].url, connect_timeout=timeout).close()
    except (redis.RedisError, psycopg.Error):
        pass
    return time.perf_counter() - t0


def one_case(world: Outages, running, case: tuple, count: int, bound: float) -> list[dict]:
    outage, server_name, how, method, path = case
    person = signup(running.base, "outage")  # signed in before: the session is in live
    body = {"json": SIGNUP} if method == "POST" else {}
    times, statuses, retry_after = [], Counter(), set()
    with getattr(world, how)(server_name):
        meter = running.cpu().start()
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            try:
                answer = requests.request(
                    method, running.base + path, headers=auth(person), timeout=bound, **body
                )
            except requests.Timeout:
                times.append(bound)
                statuses["no answer"] += 1
                continue
            times.append(time.perf_counter() - t0)
            statuses[str(answer.status_code)] += 1
            retry_after.add(answer.headers.get("Retry-After"))
        seconds, cpu = time.perf_counter() - started, meter.stop()
        bare = [bare_call(world, server_name) for _ in range(BARE_CALLS)]
    recovered = world.recovered(lambda: _healthy(running.base))
    return [
        row(
            outage,
            PROJECT,
            times,
            seconds,
            cpu,
            request=f"{method} {path}",
            first_ms=round(1000 * times[0], 1),
            statuses=", ".join(f"{n}× {status}" for status, n in sorted(statuses.items())),
            retry_after=", ".join(sorted(r for r in retry_after if r)),
            recovered=recovered,
        ),
        row(outage, "bare driver call", bare, sum(bare), first_ms=round(1000 * bare[0], 1)),
    ]


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def run(args) -> dict:
    count = getattr(args, "requests", 6 if args.quick else 12)
    bound = getattr(args, "bound", 10.0)
    world = Outages(offset=OFFSET, reset=getattr(args, "reset", 2.0))
    env = {f"TOWNSQUARE_{name.upper()}": str(value) for name, value in world.settings().items()}
    rows = []
    try:
        world.stack.start()
        with server("embedded", env=env) as running:
            for case in CASES:
                rows += one_case(world, running, case, count, bound)
    finally:
        world.close()
    return {
        "title": "a backend down: answers until the breaker opens, beside the bare driver call",
        "unit": "request answered while a backend is down",
        "rows": rows,
        "columns": ["first_ms", "statuses", "retry_after", "recovered"],
        "notes": [
            f"{count} requests per outage, one at a time; private PostgreSQL and Redis, the "
            f"server's other ports embedded; breaker reset {world.reset:g} s; `recovered`: "
            "/health 200 again after the server came back. CPU: the Townsquare server."
        ],
    }


if __name__ == "__main__":
    standalone("bench.outage", ("--requests", 12), ("--reset", 2.0), ("--bound", 10.0))
