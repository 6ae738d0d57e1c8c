"""The ``stack`` command line: ``up [names...]``, ``down [names...]``, ``status``, ``env``.

``run(argv)`` returns the exit code, so ``townsquare stack ...`` can hand its arguments here.
``up`` starts the fast native servers at once and the JVM ones at most two at a time (the
machine has two cores), and reports each server's start-up time and the total.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import ENV, maven
from .base import Server
from .servers import by_name

USAGE = """usage: python -m stack COMMAND [names...]

  up [names...]     install what is missing and start the servers (all by default)
  down [names...]   stop the servers (all by default)
  status            name, version, address and state of each server
  env               print `export TOWNSQUARE_<PORT>_URL=...` lines for the shell
"""

JVM_AT_ONCE = int(os.environ.get("TOWNSQUARE_STACK_JVMS", "2"))  # JVMs started at once


def _select(names: list[str]) -> list[Server]:
    servers = by_name()
    unknown = [n for n in names if n not in servers]
    if unknown:
        raise SystemExit(f"unknown server(s): {', '.join(unknown)}; known: {', '.join(servers)}")
    return [servers[n] for n in names] if names else list(servers.values())


class _Board:
    """Per-server state for the progress display (rich when on a terminal, plain lines otherwise)."""

    def __init__(self, servers: list[Server]) -> None:
        self.rows = {s.name: ["queued", "", ""] for s in servers}  # state, seconds, detail
        self.servers = servers
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.live = None
        try:
            from rich.console import Console

            self.console = Console()
        except ImportError:  # rich is a dependency, but the stack does not need it
            self.console = None

    def table(self):
        from rich.table import Table

        table = Table(title="townsquare stack up", title_justify="left")
        for col in ("server", "state", "seconds", "address", "version / error"):
            table.add_column(col)
        now = time.monotonic()
        for s in self.servers:
            state, secs, detail = self.rows[s.name]
            if state in ("starting", "installing"):
                secs = f"{now - self.t0[s.name]:.1f}"
            style = {"ready": "green", "running": "green", "failed": "red"}.get(
                state.split()[0], ""
            )
            table.add_row(
                s.name, f"[{style}]{state}[/]" if style else state, secs, s.address(), detail
            )
        return table

    def __enter__(self):
        self.t0: dict[str, float] = {}
        if self.console is not None and self.console.is_terminal:
            from rich.live import Live

            self.live = Live(
                self.table(), console=self.console, refresh_per_second=4, get_renderable=self.table
            )
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live is not None:
            self.live.__exit__(*exc)

    def set(self, server: Server, state: str, secs: str = "", detail: str = "") -> None:
        with self.lock:
            if state == "starting":
                self.t0[server.name] = time.monotonic()
            self.rows[server.name] = [state, secs, detail]
            if self.live is None and state.startswith(("ready", "failed", "downloading")):
                line = f"{server.name:10} {state:26} {secs:>6}  {server.address():16} {detail}"
                print(line, flush=True)


def _start_one(server: Server, board: _Board, results: dict, before=None) -> None:
    t0 = time.monotonic()
    try:
        if before is not None:
            before(server)
        board.set(server, "starting")
        t1 = time.monotonic()
        started = server.start()
    except Exception as exc:  # reported below, with the log tail
        secs = time.monotonic() - t0
        results[server.name] = (False, secs, exc)
        board.set(server, "failed", f"{secs:.1f}", str(exc).splitlines()[0][:80])
        return
    secs = time.monotonic() - t0
    results[server.name] = (True, secs, None)
    board.set(
        server,
        f"ready (started in {time.monotonic() - t1:.1f}s)"
        if started
        else "ready (already running)",
        f"{secs:.1f}",
        server.version(),
    )


def up(names: list[str]) -> int:
    """Start the servers: natives at once; JVM jars fetched in one Maven run, then 2 JVMs at a time."""
    servers = _select(names)
    jvms = [s for s in servers if s.jvm and not s.safe_healthy()]
    wanted: dict = {}
    for server in jvms:
        wanted.update(server.maven_sets())  # type: ignore[attr-defined]
    fetched = threading.Event()
    slots = threading.Semaphore(JVM_AT_ONCE)

    def prefetch() -> None:
        try:
            if wanted:
                maven.resolve_many(wanted)
        except Exception:  # each server's own install retries and reports the error
            pass
        finally:
            fetched.set()

    def start_jvm(server: Server) -> None:
        held = []

        def gate(server: Server) -> None:
            if wanted and not fetched.is_set():
                board.set(server, "downloading")
                fetched.wait()
                server.install()  # a no-op once the jars are there; raises the real error if not
            board.set(server, "waiting for a core")
            slots.acquire()
            held.append(True)

        try:
            _start_one(server, board, results, before=gate)
        finally:
            if held:
                slots.release()

    results: dict[str, tuple[bool, float, Exception | None]] = {}
    t0 = time.monotonic()
    with _Board(servers) as board:
        fetcher = threading.Thread(target=prefetch, name="maven-prefetch", daemon=True)
        with ThreadPoolExecutor(4) as native, ThreadPoolExecutor(len(servers) or 1) as jvm:
            fetcher.start()
            for server in servers:
                if server.jvm:
                    jvm.submit(start_jvm, server)
                else:
                    native.submit(_start_one, server, board, results)
        fetcher.join()
    total = time.monotonic() - t0
    failed = [n for n, (ok, _, _) in results.items() if not ok]
    for name in failed:
        print(f"\n--- {name} failed: {results[name][2]}", file=sys.stderr)
    print(f"\nstack up: {len(servers) - len(failed)}/{len(servers)} ready in {total:.1f}s")
    return 1 if failed else 0


def down(names: list[str]) -> int:
    servers = list(reversed(_select(names)))

    def stop(server: Server) -> tuple[Server, bool, float]:
        t0 = time.monotonic()
        was_running = server.stop()
        return server, was_running, time.monotonic() - t0

    with ThreadPoolExecutor(4) as pool:
        for server, was_running, secs in pool.map(stop, servers):
            state = f"stopped in {secs:.1f}s" if was_running else "was not running"
            print(f"{server.name:10} {state}", flush=True)
    return 0


def status(names: list[str]) -> int:
    servers = _select(names)
    with ThreadPoolExecutor(4) as pool:
        states = list(pool.map(lambda s: s.state(), servers))
    rows = []
    for server, state in zip(servers, states, strict=True):
        try:
            version = server.version()
        except Exception:
            version = "not installed"
        rss = server.rss_kib()
        rows.append(
            (server.name, version, server.address(), state, f"{rss / 1024:.0f} MiB" if rss else "")
        )
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="townsquare stack", title_justify="left")
        for col in ("server", "version", "address", "state", "rss"):
            table.add_column(col)
        for row in rows:
            color = "green" if row[3] == "running" else "red"
            table.add_row(row[0], row[1], row[2], f"[{color}]{row[3]}[/]", row[4])
        Console().print(table)
    except ImportError:
        for row in rows:
            print("{:10} {:32} {:16} {:20} {}".format(*row))
    return 0 if all(s == "running" for s in states) else 1


def env(_names: list[str]) -> int:
    for key, value in ENV.items():
        print(f"export {key}='{value}'")
    return 0


COMMANDS = {"up": up, "down": down, "status": status, "env": env}


def run(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help") or argv[0] not in COMMANDS:
        print(
            USAGE,
            file=sys.stderr if argv and argv[0] not in ("-h", "--help", "help") else sys.stdout,
        )
        return 0 if argv and argv[0] in ("-h", "--help", "help") else 2
    return COMMANDS[argv[0]](argv[1:])
