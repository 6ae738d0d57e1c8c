"""B1: chat send → push to every member, beside bare redis-py pub/sub and python-socketio.

The same workload on three sides, at 1, 10, 100 and 1,000 subscribers (--quick: 1 and 10):
N clients in a room, one sender sends one message at a time, and a message's latency runs
from just before it is sent until the last of the N has it.

- townsquare: a real server process (`harness.server`), N members of one private group,
  each a WebSocket client on `/api/v1/stream`; the sender posts `POST /messages`. This path
  also authenticates, validates, checks membership, writes the live store and appends the
  durable event before it pushes.
- bare redis-py pub/sub: N `redis.asyncio` subscribers (one connection each) on one
  channel of the stack's Redis, one `PUBLISH` per message: the floor of any Redis fan-out.
- python-socketio: the peer a Python chat builder would pick, an ASGI Socket.IO server under
  uvicorn with `AsyncRedisManager` (bench/peers/socketio_chat.py), N `AsyncClient`s in a
  room (WebSocket transport), the sender emits, the server emits to the room.

Every client is asyncio (websockets, redis.asyncio, python-socketio), in this process. The
baselines need the real Redis of `townsquare stack up` whatever --backends says; the
Townsquare server uses the backends asked for. CPU: the server process(es) under test —
Townsquare's, uvicorn's, and for bare pub/sub the Redis server's own (INFO cpu; the shared
Redis also serves other work, so that figure is an upper bound).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import redis.asyncio as aredis
import socketio
import websockets

from bench.harness import (
    PROJECT,
    CpuMeter,
    auth,
    free_port,
    row,
    server,
    sizes,
    standalone,
    subprocess_server,
    workers_for,
)

TIMEOUT = 15.0
"""Seconds a message may take to reach the last subscriber before it counts as lost."""


class Arrivals:
    """How many of the N subscribers have each message; wakes the sender at the last."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.counts: dict[str, int] = {}
        self.done: dict[str, asyncio.Event] = {}
        self.at: dict[str, float] = {}

    def expect(self, key: str) -> asyncio.Event:
        self.counts[key] = 0
        self.done[key] = asyncio.Event()
        return self.done[key]

    def saw(self, key: str) -> None:
        if key in self.counts:
            self.counts[key] += 1
            if self.counts[key] == self.n:
                self.at[key] = time.perf_counter()
                self.done[key].set()


async def measure(
    send: Callable[[str], Awaitable[None]], arrivals: Arrivals, messages: int, warmup: int = 2
) -> tuple[list[float], float, int]:
    """Send `messages` one at a time (after `warmup` unrecorded ones). Returns the latencies
    of those all N got, the elapsed seconds, and how many did not reach everyone."""
    latencies, lost = [], 0
    for i in range(warmup):
        key = f"warm{i}-{uuid.uuid4().hex[:6]}"
        done = arrivals.expect(key)
        await send(key)
        await asyncio.wait_for(done.wait(), TIMEOUT)
    started = time.perf_counter()
    for i in range(messages):
        key = f"m{i}-{uuid.uuid4().hex[:6]}"
        done = arrivals.expect(key)
        sent = time.perf_counter()
        await send(key)
        try:
            await asyncio.wait_for(done.wait(), TIMEOUT)
        except TimeoutError:
            lost += 1
            continue
        latencies.append(arrivals.at[key] - sent)
    return latencies, time.perf_counter() - started, lost


async def gather_limited(coroutines, limit: int = 50) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


# -- townsquare ------------------------------------------------------------------------------


async def signup(http: aiohttp.ClientSession, base: str, name: str) -> dict:
    email = f"{name}.{uuid.uuid4().hex[:8]}@bench.example.org"
    body = {"email": email, "name": name, "password": "benchmark-pass-" + uuid.uuid4().hex[:6]}
    async with http.post(f"{base}/auth/signup", json=body) as answer:
        answer.raise_for_status()
    login = {"email": email, "password": body["password"]}
    async with http.post(f"{base}/auth/login", json=login) as answer:
        answer.raise_for_status()
        found = await answer.json()
    return {"uuid": found["user"]["uuid"], "token": found["token"]}


async def townsquare_side(running, n: int, messages: int) -> dict:
    base = running.base
    async with aiohttp.ClientSession() as http:
        people = await gather_limited([signup(http, base, f"b1-{i}") for i in range(n + 1)], 8)
        sender, members = people[0], people[1:]
        body = {"name": "bench b1", "is_private": True}
        async with http.post(f"{base}/groups", headers=auth(sender), json=body) as answer:
            answer.raise_for_status()
            group = (await answer.json())["group"]["uuid"]

        async def add(member):
            url = f"{base}/groups/{group}/members"
            body = {"user_uuid": member["uuid"]}
            async with http.post(url, headers=auth(sender), json=body) as answer:
                answer.raise_for_status()

        await gather_limited([add(m) for m in members], 8)
        arrivals = Arrivals(n)
        sockets = await gather_limited(
            [
                websockets.connect(f"{running.stream}?token={m['token']}", max_size=None)
                for m in members
            ]
        )

        async def read(ws) -> None:
            async for frame in ws:
                event = json.loads(frame)
                if event.get("type") == "message.created":
                    arrivals.saw(event["data"]["text"])

        readers = [asyncio.create_task(read(ws)) for ws in sockets]

        async def send(key: str) -> None:
            body = {"to_group": group, "text": key}
            async with http.post(f"{base}/messages", headers=auth(sender), json=body) as answer:
                answer.raise_for_status()

        try:
            meter = running.cpu().start()
            latencies, seconds, lost = await measure(send, arrivals, messages)
            cpu = meter.stop()
        finally:
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
            for task in readers:
                task.cancel()
    return row(f"{n} subscribers", PROJECT, latencies, seconds, cpu, lost=lost)


# -- bare redis-py pub/sub ---------------------------------------------------------------------


async def bare_side(redis_url: str, n: int, messages: int) -> dict:
    channel = f"bench:b1:{uuid.uuid4().hex}"
    arrivals = Arrivals(n)
    clients = [aredis.Redis.from_url(redis_url) for _ in range(n)]
    pubsubs = [c.pubsub(ignore_subscribe_messages=True) for c in clients]
    await gather_limited([p.subscribe(channel) for p in pubsubs])

    async def read(pubsub) -> None:
        async for item in pubsub.listen():
            if item["type"] == "message":
                arrivals.saw(json.loads(item["data"])["text"])

    readers = [asyncio.create_task(read(p)) for p in pubsubs]
    publisher = aredis.Redis.from_url(redis_url)

    async def send(key: str) -> None:
        await publisher.publish(channel, json.dumps({"text": key}))

    try:
        before = await _redis_cpu(publisher)
        latencies, seconds, lost = await measure(send, arrivals, messages)
        cpu = await _redis_cpu(publisher) - before
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*(p.aclose() for p in pubsubs), return_exceptions=True)
        await asyncio.gather(*(c.aclose() for c in clients), publisher.aclose())
    side = "bare redis-py pub/sub"
    return row(f"{n} subscribers", side, latencies, seconds, cpu, lost=lost)


async def _redis_cpu(client) -> float:
    info = await client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# -- python-socketio -------------------------------------------------------------------------


async def socketio_side(url: str, pid: int, n: int, messages: int) -> dict:
    room = f"room-{uuid.uuid4().hex[:8]}"
    arrivals = Arrivals(n)

    async def member() -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        client.on("message", lambda data: arrivals.saw(data["text"]))
        await client.connect(url, transports=["websocket"])
        await client.call("join", room, timeout=30)
        return client

    clients = await gather_limited([member() for _ in range(n)])
    sender = socketio.AsyncClient(reconnection=False)
    await sender.connect(url, transports=["websocket"])

    async def send(key: str) -> None:
        await sender.emit("send", {"room": room, "text": key})

    try:
        meter = CpuMeter([pid]).start()
        latencies, seconds, lost = await measure(send, arrivals, messages)
        cpu = meter.stop()
    finally:
        await asyncio.gather(*(c.disconnect() for c in [*clients, sender]), return_exceptions=True)
    side = "python-socketio + AsyncRedisManager (uvicorn)"
    return row(f"{n} subscribers", side, latencies, seconds, cpu, lost=lost)


def run(args) -> dict:
    from stack import URLS

    redis_url = URLS["live"]
    counts = sizes(args, [1, 10, 100, 1000], [1, 10])
    messages = 5 if args.quick else 100
    workers = workers_for(args.backends)  # the peer gets as many processes as Townsquare
    port = free_port()
    peer = [sys.executable, "-m", "uvicorn", "bench.peers.socketio_chat:app", "--host"]
    peer += ["127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    peer_env = {"BENCH_REDIS_URL": redis_url}
    peer_url = f"http://127.0.0.1:{port}"
    rows = []
    with (
        server(args.backends, workers=workers) as running,
        subprocess_server(peer, f"{peer_url}/socket.io/?EIO=4&transport=polling", peer_env) as sio,
    ):
        for n in counts:
            count = max(10, messages // 5) if n >= 1000 and not args.quick else messages
            rows.append(asyncio.run(townsquare_side(running, n, count)))
            rows.append(asyncio.run(bare_side(redis_url, n, count)))
            rows.append(asyncio.run(socketio_side(peer_url, sio.pid, n, count)))
    return {
        "title": "chat send → push to the last of N subscribers",
        "unit": "message delivered to all N",
        "rows": rows,
        "columns": ["lost"],
        "notes": [
            f"Townsquare on {args.backends} backends; both baselines on the stack's Redis "
            f"({redis_url.split('@')[-1]}). Messages one at a time; `lost` = not at all N "
            f"within {TIMEOUT:.0f} s. The bare side's CPU is the Redis server's (shared)."
        ],
    }


if __name__ == "__main__":
    standalone("bench.chat_push")
