"""Benchmark B1s: sockets per process, and a group message to the last of its members.

Starts `townsquare serve --workers 1 --no-triggers` (embedded backends, a fresh folder),
signs up --people members of one group, then opens idle WebSockets on /api/v1/stream
(one per member first, then more per member) in steps up to --max-sockets. After each
step it waits, then reads the server process's RSS and its CPU use while idle. With one
socket per member, and again with every socket open, it posts --messages group messages
(POST /messages, one at a time) and times each until the last socket has it (p50/p99).

There is no raw baseline in this one: the figures are absolute, against the goals of
issue 9 (10,000 sockets, idle CPU < 10 %, RSS < 1.5 GB, last of 1,000 members at p99
<= 250 ms); bench/chat_push.py runs the push beside bare pub/sub.

    .venv/bin/python bench/sockets.py
    .venv/bin/python bench/sockets.py --people 1000 --max-sockets 10000 --messages 30

The clients run in this process (asyncio, the `websockets` library), on the same two
cores as the server. The file-descriptor limit is raised to its hard limit here (the
server inherits it). Loopback only; stops by itself and stops the server it started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench password long enough"
# the bench signs up many people from one address, cheaply: argon2 at its floor, no limits
SERVER_ENV = {
    "TOWNSQUARE_PASSWORD_TIME_COST": "1",
    "TOWNSQUARE_PASSWORD_MEMORY_KIB": "1024",
    "TOWNSQUARE_AUTH_ATTEMPTS_PER_ADDRESS": "100000000",
    "TOWNSQUARE_LOGIN_ATTEMPTS_PER_ACCOUNT": "100000000",
    "TOWNSQUARE_WRITE_RATE_PER_MINUTE": "100000000",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Serve:
    """`townsquare serve --workers 1 --no-triggers` on a free port, in a fresh folder."""

    def __init__(self, folder: Path, backends: str = "embedded") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        command = [sys.executable, "-m", "triggers.cli", "serve", "--workers", "1"]
        command += ["--no-triggers", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--data", str(folder / "data"), "--log-level", "WARNING"]
        command += ["--backends", backends]
        env = {**os.environ, **SERVER_ENV}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/health", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("townsquare serve did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def idle_cpu_percent(self, seconds: float) -> float:
        start = self.cpu_seconds()
        time.sleep(seconds)
        return 100 * (self.cpu_seconds() - start) / seconds

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def community(base: str, people: int) -> tuple[list[dict], str]:
    """`people` signed-up members (tokens) of one private group."""

    def person(n: int) -> dict:
        email = f"p{n}.{uuid.uuid4().hex[:8]}@example.org"
        body = {"email": email, "name": f"Person {n}", "password": PASSWORD}
        requests.post(base + "/auth/signup", json=body, timeout=60).raise_for_status()
        login = requests.post(
            base + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
        )
        login.raise_for_status()
        return {"uuid": login.json()["user"]["uuid"], "token": login.json()["token"]}

    with ThreadPoolExecutor(8) as pool:
        members = list(pool.map(person, range(people)))
    admin = {"Authorization": f"Bearer {members[0]['token']}"}
    group = requests.post(
        base + "/groups", json={"name": "Bench", "is_private": True}, headers=admin, timeout=60
    ).json()["group"]["uuid"]

    def add(member: dict) -> None:
        added = requests.post(
            f"{base}/groups/{group}/members",
            json={"user_uuid": member["uuid"]},
            headers=admin,
            timeout=60,
        )
        added.raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, members[1:]))
    return members, group


class Clients:
    """Idle stream clients; each records when it saw each bench message."""

    def __init__(self, ws_base: str) -> None:
        self.ws_base = ws_base
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.seen: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.failed = 0

    async def open(self, tokens: list[str], batch: int = 200) -> None:
        for start in range(0, len(tokens), batch):
            opened = await asyncio.gather(
                *(self._open(t) for t in tokens[start : start + batch]), return_exceptions=True
            )
            for ws in opened:
                if isinstance(ws, BaseException):
                    self.failed += 1
                else:
                    self.sockets.append(ws)
                    self.readers.append(asyncio.create_task(self._read(ws)))

    async def _open(self, token: str):
        return await connect(
            f"{self.ws_base}/stream?token={token}", open_timeout=60, ping_interval=None
        )

    async def _read(self, ws) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message.created":
                text = frame["data"]["text"]
                self.seen[text] = self.seen.get(text, 0) + 1
                self.last[text] = time.perf_counter()

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def group_latency(
    base: str, sender: dict, group: str, clients: Clients, messages: int
) -> dict:
    """Post `messages` group messages one at a time; each is timed until every open
    socket has it (p50/p99 in ms), or counted as short after 10 s."""
    expected = len(clients.sockets)
    headers = {"Authorization": f"Bearer {sender['token']}"}
    latencies, short = [], 0
    for n in range(messages):
        text = f"bench {uuid.uuid4().hex[:8]} {n}"
        started = time.perf_counter()
        posted = await asyncio.to_thread(
            requests.post,
            base + "/messages",
            json={"to_group": group, "text": text},
            headers=headers,
            timeout=60,
        )
        posted.raise_for_status()
        deadline = time.monotonic() + 10
        while clients.seen.get(text, 0) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        if clients.seen.get(text, 0) < expected:
            short += 1
        else:
            latencies.append(1000 * (clients.last[text] - started))
    return {
        "sockets": expected,
        "messages": messages,
        "incomplete": short,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
    }


async def publish_latency(group: str, clients: Clients, messages: int) -> dict:
    """The hub alone: one PUBLISH on the group's channel in the stack's Redis (what the send
    path does once it publishes per group), timed until every open socket has it."""
    import redis

    from shared import channels
    from shared.adapters.live.redis import PREFIX
    from stack import URLS

    client = redis.Redis.from_url(URLS["live"])
    expected, latencies = len(clients.sockets), []
    for n in range(messages):
        text = f"published {uuid.uuid4().hex[:8]} {n}"
        data = {"uuid": str(uuid.uuid4()), "text": text, "group": group}
        started = time.perf_counter()
        client.publish(
            PREFIX + channels.group(group), json.dumps({"type": "message.created", "data": data})
        )
        deadline = time.monotonic() + 10
        while clients.seen.get(text, 0) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        if clients.seen.get(text, 0) == expected:
            latencies.append(1000 * (clients.last[text] - started))
    client.close()
    return {
        "sockets": expected,
        "messages": messages,
        "incomplete": messages - len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
    }


async def measure(args, serve: Serve, members: list[dict], group: str) -> dict:
    clients = Clients(serve.base.replace("http://", "ws://"))
    steps, results = [], {}
    tokens = [m["token"] for m in members]
    await clients.open(tokens)  # one socket per member
    results["group_to_members"] = await group_latency(
        serve.base, members[0], group, clients, args.messages
    )
    if args.backends == "real":
        results["publish_to_members"] = await publish_latency(group, clients, args.messages)
    target = args.first
    while target <= args.max_sockets:
        more = target - len(clients.sockets)
        started = time.perf_counter()
        await clients.open([tokens[i % len(tokens)] for i in range(more)])
        opened = time.perf_counter() - started
        await asyncio.sleep(args.settle)
        cpu = await asyncio.to_thread(serve.idle_cpu_percent, args.idle_window)
        steps.append(
            {
                "sockets": len(clients.sockets),
                "failed": clients.failed,
                "connect_per_s": round(more / opened, 1),
                "rss_mb": round(serve.rss_mb(), 1),
                "idle_cpu_percent": round(cpu, 2),
            }
        )
        print(steps[-1], flush=True)
        if clients.failed:
            break
        target += args.step
    results["steps"] = steps
    results["group_to_every_socket"] = await group_latency(
        serve.base, members[0], group, clients, args.messages
    )
    await clients.close()
    return results


def run(args) -> dict:
    limit = raise_fd_limit()
    with tempfile.TemporaryDirectory() as folder:
        serve = Serve(Path(folder), args.backends)
        try:
            started = time.perf_counter()
            members, group = community(serve.base, args.people)
            setup = time.perf_counter() - started
            print(f"{args.people} members signed up in {setup:.1f}s", flush=True)
            results = asyncio.run(measure(args, serve, members, group))
        finally:
            serve.stop()
    return {
        "benchmark": "B1s sockets per process",
        "server": f"townsquare serve --workers 1 --no-triggers ({args.backends})",
        "fd_limit": limit,
        "people": args.people,
        "setup_seconds": round(setup, 1),
        **results,
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    p.add_argument("--people", type=int, default=1000, help="members of the group")
    p.add_argument("--max-sockets", type=int, default=10_000)
    p.add_argument("--first", type=int, default=2000, help="sockets at the first step")
    p.add_argument("--step", type=int, default=2000)
    p.add_argument("--messages", type=int, default=30, help="group messages timed per phase")
    p.add_argument("--settle", type=float, default=5.0, help="seconds idle before measuring")
    p.add_argument("--idle-window", type=float, default=10.0, help="seconds of idle CPU")
    return p


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server on the way out
    print(json.dumps(run(parser().parse_args()), indent=2))
