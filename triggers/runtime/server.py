"""uvicorn serving the runtime's ASGI app: one process, a thread (dev), or N workers (serve)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time

import uvicorn

from shared.settings import Settings
from triggers.http import logs
from triggers.websocket import restart_all

log = logging.getLogger("townsquare.serve")
DRAIN_SECONDS = 10  # in-flight HTTP gets this long after SIGTERM before it is cancelled
FRAME_CAP = 4  # the stream reads frames up to this many times the body limit
FACTORY = "triggers.runtime.app:app_from_environment"


def server_config(app, settings: Settings, host: str, port: int, **options) -> uvicorn.Config:
    """One configuration for every way the app is served; the Server header names no stack.
    The stream closes a frame past the body limit with 1009 itself (a clean close); the
    protocol drops the connection outright past FRAME_CAP times the limit."""
    logs.install()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ws="websockets-sansio",
        ws_max_size=settings.max_body_bytes * FRAME_CAP,
        lifespan="on",
        log_config=None,
        server_header=False,
        proxy_headers=False,  # the gateway's ProxyFix (Settings.trusted_proxies) decides
        timeout_graceful_shutdown=DRAIN_SECONDS,
        **options,
    )


class Server(uvicorn.Server):
    """uvicorn's server; at shutdown, every socket gets 1012 before connections drain."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:  # stop accepting first: no socket opens after the 1012s
            server.close()
        await restart_all()
        await super().shutdown(sockets)


class ThreadedServer:
    """The server in a background thread of this process (`townsquare dev`, the tests)."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.server = Server(config)
        self.socket = config.bind_socket()  # port 0 is resolved here, before start()
        self.port: int = self.socket.getsockname()[1]
        self.thread = threading.Thread(
            target=self.server.run, args=([self.socket],), name="townsquare-http", daemon=True
        )

    def start(self, within: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + within
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.02)

    def stop(self, within: float = DRAIN_SECONDS + 5) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=within)


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """`workers` processes of the app on one listening socket, until SIGTERM or SIGINT,
    which each worker receives and answers with its graceful shutdown."""
    config = server_config(FACTORY, settings, host, port, factory=True)
    sock = config.bind_socket()
    if workers == 1:
        Server(config).run([sock])
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(config, sock), name=f"townsquare-worker-{n}")
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    stopping = threading.Event()

    def forward(signum, _frame) -> None:
        stopping.set()
        for process in processes:
            if process.pid is not None:
                os.kill(process.pid, signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    while not stopping.is_set() and all(p.is_alive() for p in processes):
        stopping.wait(1.0)
    if not stopping.is_set():
        log.error("a worker stopped; stopping the others")
        for process in processes:
            process.terminate()
    for process in processes:
        process.join()


def _worker(config: uvicorn.Config, sock: socket.socket) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    Server(config).run([sock])
