"""B1s: idle live sockets per server, beside a bare asyncio `websockets` server.

Connects N WebSocket clients (asyncio, this process; 50 handshakes in flight) to
Townsquare's `/api/v1/stream` (one person's token) and, in the same run, to a bare
`websockets` server that only holds sockets (bench/peers/bare_ws.py). For each: the connect
rate and handshake latencies, the server's CPU per 1,000 connects, then, with all N open and
quiet, its resident memory (RSS, children included) and its CPU over an idle window (10 s;
--quick 1 s) as a percentage of one core. Sizes 100 and 1,000 (--quick 20; --sizes for
more: the goal is 10,000 on one box).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

import psutil
import requests
import websockets

from bench.harness import (
    PROJECT,
    CpuMeter,
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


async def hold(url: str, pid: int, n: int, idle: float, case: str, side: str) -> dict:
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
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return row(
        case,
        side,
        latencies,
        seconds,
        connect_cpu,
        failed=failed,
        open_after_idle=open_after,
        rss_mb=round(memory, 1),
        idle_cpu_pct=round(idle_pct, 2),
    )


def run(args) -> dict:
    idle = 1.0 if args.quick else (args.duration or 10.0)
    rows = []
    port = free_port()
    bare = [sys.executable, "-m", "bench.peers.bare_ws", str(port)]
    with (
        server(args.backends) as running,
        subprocess_server(bare, f"http://127.0.0.1:{port}/") as peer,
    ):
        person = signup(running.base, "b1s", requests.Session())
        for n in sizes(args, [100, 1000], [20]):
            case = f"{n} sockets"
            url = f"{running.stream}?token={person['token']}"
            rows.append(asyncio.run(hold(url, running.process.pid, n, idle, case, PROJECT)))
            url = f"ws://127.0.0.1:{port}/"
            rows.append(asyncio.run(hold(url, peer.pid, n, idle, case, "bare websockets server")))
    return {
        "title": "idle live sockets per server process",
        "unit": "socket connected (ops/s: connect rate)",
        "rows": rows,
        "columns": ["failed", "rss_mb", "idle_cpu_pct"],
        "notes": [
            f"After connecting: `rss_mb` (server tree) and `idle_cpu_pct` over {idle:.0f} s "
            "idle (100 = one core); one person's token for every socket."
        ],
    }


if __name__ == "__main__":
    standalone("bench.sockets")
