"""Benchmark: POST /messages and GET /feed under concurrent load, beside GET /health.

Starts `townsquare dev` (embedded backends by default) in its own process on a fresh data
folder, builds a small community through the public API, then drives closed-loop load:
each of C client threads sends its next request as soon as the last one is answered
(HTTP/1.1 keep-alive, one connection per thread), for a fixed number of seconds.

- sends: `POST /messages`, direct messages between 8 pairs of people, at concurrency 8;
- feed: `GET /feed` of a reader who follows 20 authors and is in 4 groups (about 400
  posts, some of them hidden from the reader), at concurrency 1, 8 and 32;
- health: `GET /health` on the same server at the same concurrencies (the trivial
  endpoint that bounds what the server itself can do), ratio printed.

    .venv/bin/python bench/http_load.py                    # embedded backends
    .venv/bin/python bench/http_load.py --backends real    # the servers of `townsquare stack up`
    .venv/bin/python bench/http_load.py --seconds 10 --repeat 3

`run(args)` returns every figure as a dict (for the bench harness); `__main__` prints it.
Loopback only; every run stops by itself; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

API = "/api/v1"
PASSWORD = "benchmark-pass"


# --- one HTTP client per thread ---------------------------------------------------------


class Client:
    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        data = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            try:
                self.conn.request(method, API + path, body=data, headers=self.headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, (json.loads(raw) if raw else {})
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed a kept-alive connection: reopen once
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ok(self, method: str, path: str, body: object = None) -> dict:
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer


def person(port: int, name: str) -> dict:
    client = Client(port)
    email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@bench.example.org"
    client.ok("POST", "/auth/signup", {"email": email, "name": name, "password": PASSWORD})
    login = client.ok("POST", "/auth/login", {"email": email, "password": PASSWORD})
    return {"uuid": login["user"]["uuid"], "token": login["token"]}


# --- the community ----------------------------------------------------------------------


def community(port: int) -> dict:
    """Senders for the send load, and a feed reader with follows, groups and hidden posts."""
    senders = [person(port, f"Sender{i}") for i in range(16)]
    reader = person(port, "Reader")
    authors = [person(port, f"Author{i}") for i in range(20)]
    reading = Client(port, reader["token"])
    for author in authors:
        reading.ok("PUT", f"/users/{author['uuid']}/follow")
    owner = Client(port, authors[0]["token"])
    groups = []
    for i in range(6):
        group = owner.ok("POST", "/groups", {"name": f"Club {i}", "is_private": i % 2 == 0})
        groups.append(group["group"]["uuid"])
    for group in groups[:4]:  # the reader is in four; two private groups are not theirs
        owner.ok("POST", f"/groups/{group}/members", {"user_uuid": reader["uuid"]})
    for i, author in enumerate(authors):
        writing = Client(port, author["token"])
        for j in range(15):
            body = {"text": f"post {j} by author {i}", "scope": "public"}
            if j % 5 == 1:
                body["scope"] = "followers"
            writing.ok("POST", "/posts", body)
        if i == 0:
            for j, group in enumerate(groups * 8):
                post = {"text": f"group post {j}", "scope": "group", "group_uuid": group}
                writing.ok("POST", "/posts", post)
    return {"senders": senders, "reader": reader}


# --- closed-loop load -------------------------------------------------------------------


def load(port: int, tokens: list[str], request, concurrency: int, seconds: float) -> dict:
    """`request(client, worker, i)` issued back to back by `concurrency` threads."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(w: int) -> None:
        client = Client(port, tokens[w % len(tokens)])
        request(client, w, -1)  # warm: connection and first-use costs
        start.wait()
        i = 0
        while (begin := time.perf_counter()) < deadline[0]:
            status = request(client, w, i)
            latencies[w].append(time.perf_counter() - begin)
            errors[w] += status >= 300
            i += 1
        client.conn.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds + 0.05
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for worker_latencies in latencies for x in worker_latencies)
    return {
        "requests": len(every),
        "errors": sum(errors),
        "req_per_s": len(every) / elapsed,
        "p50_ms": 1000 * statistics.median(every),
        "p99_ms": 1000 * every[min(len(every) - 1, int(0.99 * len(every)))],
    }


def sends(people: list[dict]):
    def request(client: Client, worker: int, i: int) -> int:
        to = people[(worker * 2 + 1) % len(people)]["uuid"]
        status, _ = client.call("POST", "/messages", {"to_user": to, "text": f"m{worker}-{i}"})
        return status

    return request


def get(path: str):
    def request(client: Client, worker: int, i: int) -> int:
        return client.call("GET", path)[0]

    return request


def spread(runs: list[dict]) -> dict:
    """The median run's figures, and each figure's min..max over the runs."""
    middle = sorted(runs, key=lambda r: r["req_per_s"])[len(runs) // 2]
    return {
        **middle,
        "runs": len(runs),
        "req_per_s_range": [min(r["req_per_s"] for r in runs), max(r["req_per_s"] for r in runs)],
        "p99_ms_range": [min(r["p99_ms"] for r in runs), max(r["p99_ms"] for r in runs)],
    }


# --- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data: Path, backends: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "TOWNSQUARE_WRITE_RATE_PER_MINUTE": str(10**9),
        "TOWNSQUARE_AUTH_ATTEMPTS_PER_ADDRESS": str(10**9),
        "TOWNSQUARE_PASSWORD_TIME_COST": "1",  # signups are setup, not what is measured
        "TOWNSQUARE_PASSWORD_MEMORY_KIB": "1024",
    }
    command = [sys.executable, "-m", "triggers.cli", "dev", "--port", str(port)]
    command += ["--data", str(data), "--backends", backends, "--mqtt-port", "0"]
    command += ["--log-level", "WARNING"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"townsquare dev exited with {server.returncode}")
        try:
            if Client(port).call("GET", "/health")[0] < 500:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("townsquare dev did not answer /health within 120 s")


def settle(pid: int, *, below: float = 0.05, within: float = 120.0) -> None:
    """Wait until the server's background work (the event functions indexing the
    community) is done: its CPU use over one second falls below `below` of a core."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = cpu_seconds()
        time.sleep(1.0)
        if cpu_seconds() - before < below:
            return


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- run --------------------------------------------------------------------------------


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--feed-concurrency", default="1,8,32")
    parser.add_argument("--send-concurrency", type=int, default=8)
    parser.add_argument("--only", choices=["sends", "feed"], help="measure only this")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    result: dict = {"backends": args.backends, "seconds": args.seconds, "repeat": args.repeat}
    with tempfile.TemporaryDirectory() as data:
        server, port = start_server(Path(data), args.backends)
        try:
            people = community(port)
            settle(server.pid)
            reader = [people["reader"]["token"]]
            senders = people["senders"]
            tokens = [p["token"] for p in senders]

            def measure(request, concurrency: int, who: list[str]) -> dict:
                runs = [
                    load(port, who, request, concurrency, args.seconds) for _ in range(args.repeat)
                ]
                return spread(runs)

            c = args.send_concurrency
            result["sends"], result["feed"], result["health"] = {}, {}, {}
            if args.only != "feed":
                result["sends"][f"c{c}"] = measure(sends(senders), c, tokens)
            feed_concurrency = [] if args.only == "sends" else args.feed_concurrency.split(",")
            for c in [int(x) for x in feed_concurrency]:
                result["health"][f"c{c}"] = measure(get("/health"), c, reader)
                result["feed"][f"c{c}"] = measure(get("/feed"), c, reader)
                result["feed"][f"c{c}"]["of_health"] = (
                    result["feed"][f"c{c}"]["req_per_s"] / result["health"][f"c{c}"]["req_per_s"]
                )
        finally:
            stop_server(server)
    return result


def main() -> None:
    result = run(arguments())
    print(f"backends: {result['backends']}; {result['repeat']} runs of {result['seconds']} s")
    print(
        f"{'what':<16} {'req/s':>8} {'range':>15} {'p50 ms':>8} {'p99 ms':>8} {'p99 range':>15} "
        f"{'errors':>6}"
    )
    rows = [(f"POST /messages {k}", v) for k, v in result["sends"].items()]
    for key in result["feed"]:
        rows += [(f"GET /health {key}", result["health"][key])]
        rows += [(f"GET /feed {key}", result["feed"][key])]
    for what, r in rows:
        low, high = r["req_per_s_range"]
        p99_low, p99_high = r["p99_ms_range"]
        print(
            f"{what:<16} {r['req_per_s']:>8.1f} {f'{low:.0f}..{high:.0f}':>15} {r['p50_ms']:>8.1f}"
            f" {r['p99_ms']:>8.1f} {f'{p99_low:.0f}..{p99_high:.0f}':>15} {r['errors']:>6}"
        )
    for key, feed in result["feed"].items():
        print(f"feed ÷ health at {key}: {feed['of_health']:.0%}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
