"""B1s: live sockets per server — idle, then a message to every one of them — beside a
bare asyncio `websockets` server.

Connects N WebSocket clients (asyncio, this process; 50 handshakes in flight) to
Townsquare's `/api/v1/stream`, all with one person's token, and, in the same run, to a bare
`websockets` server (bench/peers/bare_ws.py). For each: the connect rate and handshake
latencies, the server's CPU per 1,000 connects, then, with all N open and quiet, its
resident memory (RSS, children included) and its CPU over an idle window (10 s; --quick
1 s) as a percentage of one core. Then, with every socket still open, messages one at a
time (30; --quick 5), each timed until the last of the N sockets has it: on Townsquare a
group message (`POST /messages` by another member of a group of the socket holder's), on
the bare server a broadcast of one frame to every socket (its floor); on real backends also
one PUBLISH on the group's channel in the stack's Redis (the hub alone, without the send
path). Sizes 100 and 1,000 (--quick 20; `--sizes 2000,10000` for the goal of 10,000 on one
box: the file-descriptor limit is raised to its hard limit, which the servers inherit).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
import urllib.parse
import uuid

import aiohttp
import psutil
import requests
import websockets

from bench.chat_push import Arrivals, measure
from bench.harness import (
    PROJECT,
    CpuMeter,
    auth,
    free_port,
    row,
    server,
    signup,
    sizes,
    standalone,
    subprocess_server,
)


def rss_mb(pid: int) -> float:
    top = psutil.Process(pid)
    total = 0
    for proc in [top, *top.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total / 2**20


def raise_fd_limit() -> None:
    """Every socket is a descriptor here and in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def hold(
    url: str, pid: int, n: int, idle: float, side: str, senders: dict, messages: int
) -> list[dict]:
    """The connect row of `side`, then one message row per sender in `senders` (side name
    -> async send(text)), timed to the last of the N sockets."""
    gate = asyncio.Semaphore(50)
    latencies: list[float] = []
    failed = 0

    async def connect():
        nonlocal failed
        async with gate:
            t0 = time.perf_counter()
            try:
                ws = await websockets.connect(url, open_timeout=60, max_size=None)
            except (OSError, websockets.WebSocketException, TimeoutError):
                failed += 1
                return None
            latencies.append(time.perf_counter() - t0)
            return ws

    meter = CpuMeter([pid]).start()
    started = time.perf_counter()
    sockets = [ws for ws in await asyncio.gather(*(connect() for _ in range(n))) if ws]
    seconds = time.perf_counter() - started
    connect_cpu = meter.stop()
    memory = rss_mb(pid)
    idle_meter = CpuMeter([pid]).start()
    await asyncio.sleep(idle)
    idle_pct = 100 * idle_meter.stop() / idle
    open_after = sum(1 for ws in sockets if ws.state is websockets.State.OPEN)
    rows = [
        row(
            f"{n} sockets",
            side,
            latencies,
            seconds,
            connect_cpu,
            failed=failed,
            open_after_idle=open_after,
            rss_mb=round(memory, 1),
            idle_cpu_pct=round(idle_pct, 2),
        )
    ]
    arrivals = Arrivals(len(sockets))

    async def read(ws) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in ws:
                event = json.loads(frame)
                if event.get("type") == "message.created":
                    arrivals.saw(event["data"]["text"])

    readers = [asyncio.create_task(read(ws)) for ws in sockets]
    try:
        for name, send in senders.items():
            meter = CpuMeter([pid]).start()
            times, elapsed, lost = await measure(send, arrivals, messages)
            case = f"message → last of {n} sockets"
            rows.append(row(case, name, times, elapsed, meter.stop(), lost=lost))
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for task in readers:
            task.cancel()
    return rows


def group_of(base: str, holder: dict, sender: dict) -> str:
    """A private group of the sender's that the socket holder is in."""
    http = requests.Session()
    body = {"name": "bench b1s", "is_private": True}
    group = http.post(f"{base}/groups", headers=auth(sender), json=body)
    group.raise_for_status()
    uuid_ = group.json()["group"]["uuid"]
    added = http.post(
        f"{base}/groups/{uuid_}/members", headers=auth(sender), json={"user_uuid": holder["uuid"]}
    )
    added.raise_for_status()
    return uuid_


async def townsquare_side(running, backends: str, n: int, idle: float, messages: int) -> list:
    holder = signup(running.base, "b1s")
    sender = signup(running.base, "b1s-sender")
    group = group_of(running.base, holder, sender)
    async with aiohttp.ClientSession() as http:

        async def post(text: str) -> None:
            body = {"to_group": group, "text": text}
            async with http.post(
                f"{running.base}/messages", headers=auth(sender), json=body
            ) as answer:
                answer.raise_for_status()

        senders = {PROJECT: post}
        if backends == "real":
            senders["PUBLISH on the group's channel (the hub alone)"] = hub_publisher(group)
        url = f"{running.stream}?token={holder['token']}"
        return await hold(url, running.process.pid, n, idle, PROJECT, senders, messages)


def hub_publisher(group: str):
    """send(text): one PUBLISH on the group's channel in the stack's Redis, what the send
    path does once it has written the message."""
    import redis.asyncio as aredis

    from shared import channels
    from shared.adapters.live.redis import PREFIX
    from stack import URLS

    client = aredis.Redis.from_url(URLS["live"])

    async def publish(text: str) -> None:
        data = {"uuid": str(uuid.uuid4()), "text": text, "group": group}
        frame = json.dumps({"type": "message.created", "data": data})
        await client.publish(PREFIX + channels.group(group), frame)

    return publish


async def bare_side(port: int, pid: int, n: int, idle: float, messages: int) -> list:
    async with aiohttp.ClientSession() as http:

        async def broadcast(text: str) -> None:
            url = f"http://127.0.0.1:{port}/broadcast/{urllib.parse.quote(text)}"
            async with http.get(url) as answer:
                answer.raise_for_status()

        side = "bare websockets server"
        return await hold(
            f"ws://127.0.0.1:{port}/", pid, n, idle, side, {side: broadcast}, messages
        )


def run(args) -> dict:
    raise_fd_limit()
    idle = 1.0 if args.quick else (args.duration or 10.0)
    messages = 5 if args.quick else 30
    rows = []
    port = free_port()
    bare = [sys.executable, "-m", "bench.peers.bare_ws", str(port)]
    with (
        server(args.backends) as running,
        subprocess_server(bare, f"http://127.0.0.1:{port}/") as peer,
    ):
        for n in sizes(args, [100, 1000], [20]):
            ours = townsquare_side(running, args.backends, n, idle, messages)
            rows += asyncio.run(ours)
            rows += asyncio.run(bare_side(port, peer.pid, n, idle, messages))
    return {
        "title": "live sockets per server process: idle, then a message to every socket",
        "unit": "socket connected (ops/s: connect rate); message at the last socket",
        "rows": rows,
        "columns": ["failed", "rss_mb", "idle_cpu_pct", "lost"],
        "notes": [
            f"After connecting: `rss_mb` (server tree) and `idle_cpu_pct` over {idle:g} s "
            "idle (100 = one core); one person's token for every socket. Then messages one "
            "at a time; `lost` = not at every socket within 15 s."
        ],
    }


if __name__ == "__main__":
    standalone("bench.sockets")
