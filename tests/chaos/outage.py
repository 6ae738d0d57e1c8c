"""Outages of the servers a request waits on, for the fail-fast checks (test_fail_fast.py)
and their benchmark (B10, bench/outage.py): private PostgreSQL and Redis (stack/private.py),
frozen or killed at will, and for the checks one in-process Townsquare on them (the other
ports embedded), whose calls are timed; the benchmark runs a server process on them."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from functions.registry import load
from shared.context import Services
from shared.settings import Settings
from stack.private import PrivateStack, kill
from stack.servers import Postgres, Redis
from tests.conftest import Api
from triggers.http import create_app
from triggers.kafka import EventDispatcher

OFFSET = 340  # ports apart from the battery's own private servers (offset 300)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                after_name = (entry / "stat").read_text().rpartition(")")[2].split()
                if int(after_name[1]) == pid:
                    found.append(int(entry.name))
    return found


class Outages:
    def __init__(self, *, offset: int = OFFSET, reset: float = 2.0) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="townsquare-outage-"))
        self.home.chmod(0o755)  # PostgreSQL runs as its own user and must reach its folder
        self.stack = PrivateStack(self.home, offset, [Postgres, Redis])
        self.reset = reset
        self.services: Services | None = None
        self.api: Api | None = None

    def settings(self) -> dict:
        """Settings of a Townsquare on these servers (its other ports embedded): their URLs,
        the breaker's reset time, cheap sign-ups without limits."""
        return {
            "accounts_url": self.stack["postgres"].url,
            "live_url": self.stack["redis"].url,
            "breaker_reset_seconds": self.reset,
            "password_time_cost": 1,
            "password_memory_kib": 1024,
            "auth_attempts_per_address": 1_000_000,
        }

    def start(self) -> Outages:
        """The servers, and one in-process Townsquare on them (`api`, `services`)."""
        self.stack.start()
        settings = Settings(data_dir=self.home / "data", _env_file=None, **self.settings())
        self.services = Services(settings)
        self.api = Api(
            create_app(self.services).test_client(), EventDispatcher(self.services, load())
        )
        return self

    def close(self) -> None:
        if self.services is not None:
            self.services.close()
        self.stack.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def timed(self, method: str, path: str, who=None, **kw):
        """(answer, seconds) of one call."""
        t0 = time.perf_counter()
        answer = self.api.call(method, path, who, **kw)
        return answer, time.perf_counter() - t0

    @contextlib.contextmanager
    def paused(self, name: str):
        """The server frozen (SIGSTOP) while the block runs: its sockets accept, never answer.
        Its children too (PostgreSQL's backends leave the postmaster's process group)."""
        pid = kill(self.stack[name], signal.SIGSTOP)
        children = children_of(pid)
        for child in children:
            os.kill(child, signal.SIGSTOP)
        try:
            yield
        finally:
            for child in children:
                os.kill(child, signal.SIGCONT)
            kill(self.stack[name], signal.SIGCONT)

    @contextlib.contextmanager
    def stopped(self, name: str):
        """The server killed (SIGKILL) while the block runs, started again after it."""
        kill(self.stack[name], signal.SIGKILL)
        try:
            yield
        finally:
            self.stack.restart(name)

    def recovered(self, probe) -> bool:
        """After the breaker's reset time, `probe()` (a trial call) is True again."""
        deadline = time.monotonic() + self.reset + 30
        time.sleep(self.reset)
        while time.monotonic() < deadline:
            if probe():
                return True
            time.sleep(0.2)
        return False
