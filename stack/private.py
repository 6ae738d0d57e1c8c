"""Private instances of the stack's servers: the same ``Server`` classes on other ports and homes.

``private(Redis, home, offset=300)`` is a ``Redis`` whose every port (``port`` and any
``*_port``: Kafka's controller, Cassandra's storage port...) is moved by ``offset``, whose
URL names the moved port, and whose config, data, log and pid file live under ``home``.
Starting, stopping or killing it never touches the shared server of the same class, so a
test may break it at will. ``PrivateStack`` starts several at once and stops them all.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .base import Server, StackError, pid_alive, port_open


def _moved_ports(cls: type[Server], offset: int) -> dict[str, int]:
    return {
        attr: getattr(cls, attr) + offset
        for attr in dir(cls)
        if (attr == "port" or attr.endswith("_port")) and isinstance(getattr(cls, attr), int)
    }


def private(cls: type[Server], home: Path, offset: int, **overrides) -> Server:
    """An instance of ``cls`` on ports moved by ``offset``, living under ``home/<name>``.
    ``overrides`` replace further class attributes (a smaller ``heap``, say). Only ports
    the class names as attributes move (the Spark servers' UI ports are constants: they
    cannot run privately as they are)."""
    ports = _moved_ports(cls, offset)
    url = cls.url.replace(f":{cls.port}", f":{ports['port']}", 1)
    root = Path(home) / cls.name

    def _home(self) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        return root

    attrs = {
        **ports,
        "url": url,
        "home": property(_home),
        "log_path": property(lambda self: _home(self) / "server.log"),
        "pid_path": property(lambda self: _home(self) / "server.pid"),
        **overrides,
    }
    return type(f"Private{cls.__name__}", (cls,), attrs)()


def kill(server: Server, sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` to the private server's process group (SIGKILL, SIGSTOP, SIGCONT...)."""
    pid = server.pid()
    if pid is None:
        raise StackError(f"{server.name} is not running")
    os.killpg(pid, sig)
    if sig == signal.SIGKILL:
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            server._reap(pid)
            time.sleep(0.05)
        server.after_stop()
    return pid


class PrivateStack:
    """Several private servers under one home, started together and stopped together."""

    def __init__(self, home: Path, offset: int, classes: list[type[Server]], **per_name) -> None:
        self.home = Path(home)
        self.servers: dict[str, Server] = {
            cls.name: private(cls, self.home, offset, **per_name.get(cls.name, {}))
            for cls in classes
        }
        self.start_seconds: dict[str, float] = {}

    def __getitem__(self, name: str) -> Server:
        return self.servers[name]

    def start(self) -> None:
        """Start every server (refusing a port some other process already holds)."""
        for server in self.servers.values():
            busy = [p for p in _moved_ports(type(server), 0).values() if port_open(p)]
            if busy and server.pid() is None:
                raise StackError(f"private {server.name}: ports {busy} are taken; pick an offset")
        with ThreadPoolExecutor(len(self.servers)) as pool:
            list(pool.map(self._start_one, self.servers.values()))

    def _start_one(self, server: Server) -> None:
        t0 = time.monotonic()
        server.start()
        self.start_seconds[server.name] = time.monotonic() - t0

    def restart(self, name: str) -> float:
        """Start ``name`` again (after a kill); returns the seconds it took to be healthy."""
        t0 = time.monotonic()
        self.servers[name].start()
        return time.monotonic() - t0

    def stop(self) -> None:
        for server in self.servers.values():
            pid = server.pid()
            if pid is not None:
                os.killpg(pid, signal.SIGCONT)  # a paused server cannot stop
            server.stop()

    def urls(self) -> dict[str, str]:
        """Settings overrides (``<port>_url``) naming these servers."""
        return {f"{s.port_name.lower()}_url": s.url for s in self.servers.values()}
