"""The benchmark suite: a registry of benchmarks, the server under test, the figures.

`townsquare bench [NAME ...] [--backends embedded|real] [--quick] [--out DIR]` runs the
named benchmarks (all that are in this checkout by default). Each is a module of bench/
with `run(args) -> dict` that measures Townsquare and its raw baselines in the same run and
returns `{"title", "unit", "rows": [row, ...], "notes": [...], "columns": [...]}`, a row
being one side of one case: `{"case", "side", "ops", "seconds", "ops_per_s", "p50_ms",
"p99_ms", "p999_ms", "cpu_s_per_1k"}` (see `row()`; a benchmark that measures steps rather
than operations leaves out what it has no figure for; "columns" names its own figures to
tabulate). The run is written to DIR/<date>-<backends>-<host>.json with the machine (CPU
model, cores, memory, Python) and drawn to a chart beside it; `townsquare bench --table
RUN.json ...` rewrites the table of bench/README.md (and the charts) from runs.

`server()` is the one way a benchmark starts Townsquare: a subprocess on a free loopback
port (`townsquare serve`: one worker on embedded backends, whose live store lives in one
process, two on real ones), ready when `GET /health` answers, its CPU time (children included) read with psutil, and
stopped afterwards. `load()` is the one closed-loop HTTP load (aiohttp) of B2 and B2s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import importlib.util
import json
import math
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
import requests

from bench.cli import README, REGISTRY, ROOT

PROJECT = "townsquare"
"""The side every other row of a case is compared with."""

TABLE_START = "<!-- bench table: written by `townsquare bench --table` -->"
TABLE_END = "<!-- end of bench table -->"


# -- figures ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..1) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def row(
    case: str,
    side: str,
    latencies: list[float] | None = None,
    seconds: float | None = None,
    cpu_seconds: float | None = None,
    ops: int | None = None,
    **extra,
) -> dict:
    """One side of one case: latencies in seconds, `seconds` the wall-clock time of the
    phase, `cpu_seconds` the CPU the process(es) under test spent in it."""
    ops = len(latencies) if ops is None and latencies is not None else ops
    ms = [1000 * x for x in latencies or []]
    out = {
        "case": case,
        "side": side,
        "ops": ops,
        "seconds": seconds,
        "ops_per_s": ops / seconds if ops and seconds else None,
        "p50_ms": percentile(ms, 0.50),
        "p99_ms": percentile(ms, 0.99),
        "p999_ms": percentile(ms, 0.999),
        "cpu_s_per_1k": 1000 * cpu_seconds / ops if ops and cpu_seconds is not None else None,
    }
    out.update(extra)
    return out


class CpuMeter:
    """CPU seconds (user + system) spent by processes, their children included, between
    start() and stop(). Children that ended in between are lost; servers keep theirs."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.begin = 0.0

    def total(self) -> float:
        seen: dict[int, float] = {}
        for pid in self.pids:
            with contextlib.suppress(psutil.NoSuchProcess):
                top = psutil.Process(pid)
                for proc in [top, *top.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = proc.cpu_times()
                        seen[proc.pid] = times.user + times.system
        return sum(seen.values())

    def start(self) -> CpuMeter:
        self.begin = self.total()
        return self

    def stop(self) -> float:
        return self.total() - self.begin


class Stopwatch:
    """Times calls in this process: returns each call's wall seconds and sums the wall and
    the CPU seconds (process time) of all of them, for in-process benchmarks."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __call__(self, action) -> float:
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall += wall
        self.cpu += cpu
        return wall


def machine() -> dict:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


# -- the server under test --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workers_for(backends: str) -> int:
    """Server processes on `backends`: the embedded live store lives in one process."""
    return 1 if backends == "embedded" else 2


SERVER_ENV = {
    # the benchmark's own sign-ups: cheap hashes, no per-address or per-user budget
    "TOWNSQUARE_PASSWORD_TIME_COST": "1",
    "TOWNSQUARE_PASSWORD_MEMORY_KIB": "1024",
    "TOWNSQUARE_AUTH_ATTEMPTS_PER_ADDRESS": str(10**9),
    "TOWNSQUARE_LOGIN_ATTEMPTS_PER_ACCOUNT": str(10**9),
    "TOWNSQUARE_WRITE_RATE_PER_MINUTE": str(10**9),
    "TOWNSQUARE_CRON_OFF": "insights.compute_insights",
}


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    command: list[str]
    log: Path
    mqtt_port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v1"

    @property
    def data(self) -> Path:
        """The server's data folder: where its embedded backends keep their files."""
        return self.log.parent

    @property
    def stream(self) -> str:
        return f"ws://{self.host}:{self.port}/api/v1/stream"

    def cpu(self) -> CpuMeter:
        return CpuMeter([self.process.pid])


@contextlib.contextmanager
def server(
    backends: str = "embedded", workers: int | None = None, env: dict | None = None
) -> Iterator[Server]:
    """Townsquare in a subprocess on 127.0.0.1, ready to serve; stopped on exit. On the real
    tier its event functions use consumer groups of their own, started at the end of the
    shared log and deleted afterwards."""
    port, mqtt_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="townsquare-bench-") as data:
        common = ["--host", "127.0.0.1", "--port", str(port), "--data", data]
        common += ["--backends", backends]
        common += ["--mqtt-port", str(mqtt_port), "--log-level", "WARNING"]
        command = ["serve", *common, "--workers", str(workers or workers_for(backends))]
        command = [sys.executable, "-m", "triggers.cli", *command]
        child_env = {**os.environ, **SERVER_ENV, **(env or {})}
        with contextlib.ExitStack() as stack:
            if backends == "real":
                prefix = f"townsquare.bench-{uuid.uuid4().hex[:8]}.fn."
                child_env["TOWNSQUARE_EVENT_GROUP_PREFIX"] = prefix
                stack.enter_context(_own_event_groups(prefix, Path(data)))
            log = Path(data) / "server.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=child_env, stdout=out, stderr=subprocess.STDOUT
                )
            running = Server("127.0.0.1", port, process, command, log, mqtt_port)
            try:
                _wait_ready(running)
                yield running
            finally:
                _stop(process)


def _wait_ready(running: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(
                f"{' '.join(running.command)} exited ({running.process.returncode}):\n"
                + running.log.read_text(errors="replace")[-3000:]
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{running.base}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{' '.join(running.command)}: /health not 200 after {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _own_event_groups(prefix: str, data: Path) -> Iterator[None]:
    from functions.registry import load
    from shared.context import Services
    from shared.settings import Settings
    from stack import URLS
    from tests.buslog import forget_groups, start_at_the_end
    from triggers.kafka import EventDispatcher

    overrides = {f"{port}_url": url for port, url in URLS.items()}
    settings = Settings(
        data_dir=data / "groups", _env_file=None, event_group_prefix=prefix, **overrides
    )
    services = Services(settings)
    dispatcher = EventDispatcher(services, load())
    groups = [dispatcher.group_of(function) for function, _ in dispatcher.subscribers]
    try:
        start_at_the_end(services.bus, groups)
        yield
    finally:
        with contextlib.suppress(Exception):
            forget_groups(services.bus, groups)
        dispatcher.close()
        services.close()


@contextlib.contextmanager
def subprocess_server(command: list[str], ready_url: str, env: dict | None = None):
    """A baseline's server (e.g. a peer under uvicorn): started, ready when `ready_url`
    answers, stopped on exit. Yields the process."""
    with tempfile.NamedTemporaryFile(prefix="townsquare-bench-peer-", suffix=".log") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} exited:\n{Path(log.name).read_text()[-3000:]}")
                with contextlib.suppress(requests.RequestException):
                    requests.get(ready_url, timeout=2)
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{command}: {ready_url} did not answer")
                time.sleep(0.2)
            yield process
        finally:
            _stop(process)


# -- HTTP helpers for benchmarks ---------------------------------------------------------


def signup(base: str, name: str, session: requests.Session | None = None) -> dict:
    """A new person, logged in: {"uuid", "token", "email"}."""
    http = session or requests
    email = f"{name}.{uuid.uuid4().hex[:8]}@bench.example.org"
    password = "benchmark-pass-" + uuid.uuid4().hex[:6]
    answer = http.post(
        f"{base}/auth/signup", json={"email": email, "name": name, "password": password}
    )
    answer.raise_for_status()
    login = http.post(f"{base}/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    body = login.json()
    return {"uuid": body["user"]["uuid"], "token": body["token"], "email": email}


def auth(person: dict) -> dict:
    return {"Authorization": f"Bearer {person['token']}"}


# -- closed-loop HTTP load ----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """The request one load worker repeats; an answer counts when its status is `ok`."""

    method: str
    url: str
    headers: dict = field(default_factory=dict)
    json: dict | None = None
    ok: int = 200


async def load(calls: list[Call], duration: float) -> tuple[list[float], int, float]:
    """One worker per call (aiohttp, one kept-alive connection each) sends its call again
    as soon as the last is answered, for `duration` seconds. Returns the latencies of the
    answers that counted, the count of the others, and the elapsed time."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=len(calls))
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        deadline = started + duration

        async def worker(call: Call) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    async with session.request(
                        call.method, call.url, headers=call.headers, json=call.json
                    ) as answer:
                        await answer.read()
                        ok = answer.status == call.ok
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker(call) for call in calls))
        return latencies, errors, time.perf_counter() - started


def loaded(running: Server, case: str, side: str, calls: list[Call], duration: float) -> dict:
    """The row of one load phase against `running`: its calls' latencies, throughput and
    the server's CPU, with `errors` (answers other than each call's `ok`)."""
    meter = running.cpu().start()
    latencies, errors, elapsed = asyncio.run(load(calls, duration))
    return row(case, side, latencies, elapsed, meter.stop(), errors=errors)


TRIVIAL = "GET /health/live (same server)"


def trivial_calls(running: Server, concurrency: int) -> list[Call]:
    """`GET /health/live` on the server under test: the trivial endpoint (it asks no
    backend), what the server itself can do, the baseline of the load benchmarks (B2, B2s)."""
    return [Call("GET", f"{running.base}/health/live")] * concurrency


def beside_trivial(
    running: Server, title: str, calls: Callable[[int], list[Call]], args, duration: float
) -> dict:
    """The load benchmarks' run (B2, B2s): at each concurrency, `calls(concurrency)` then
    `GET /health/live` on the same server, each for `duration` seconds."""
    rows = []
    for concurrency in sizes(args, [1, 8, 32], [1, 8]):
        case = f"concurrency {concurrency}"
        rows.append(loaded(running, case, PROJECT, calls(concurrency), duration))
        trivial = trivial_calls(running, concurrency)
        rows.append(loaded(running, case, TRIVIAL, trivial, duration))
    return {
        "title": title,
        "unit": "request",
        "rows": rows,
        "columns": ["errors"],
        "notes": [
            f"{duration:g} s per phase; the load generator shares the machine with the server."
        ],
    }


# -- the suite -----------------------------------------------------------------------------


def available() -> dict[str, bool]:
    return {name: importlib.util.find_spec(module) is not None for name, module in REGISTRY.items()}


def run_suite(args: argparse.Namespace) -> Path:
    """Run the benchmarks named in args.names (all present ones by default); write the JSON
    and the chart; print a summary. Returns the JSON file."""
    present = available()
    names = args.names or [name for name, ok in present.items() if ok]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise SystemExit(f"townsquare bench: unknown {unknown}; known: {', '.join(REGISTRY)}")
    missing = [n for n in names if not present[n]]
    if missing:
        raise SystemExit(
            "townsquare bench: not in this checkout: "
            + ", ".join(f"{n} ({REGISTRY[n]})" for n in missing)
        )
    started = dt.datetime.now(dt.UTC)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "backends": args.backends,
        "quick": args.quick,
        "server": "townsquare serve",
        "benchmarks": {},
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    node = re.sub(r"[^A-Za-z0-9]+", "-", platform.node())
    path = out / f"{started:%Y%m%dT%H%M%SZ}-{args.backends}-{node}.json"
    for name in names:
        print(f"== {name} ({REGISTRY[name]})", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(REGISTRY[name])
            needs = getattr(module, "BACKENDS", {"embedded", "real"})
            if args.backends not in needs:  # e.g. B3 needs the stack's Kafka and Mosquitto
                print(f"   skipped: runs on --backends {' or '.join(sorted(needs))}", flush=True)
                continue
            result = module.run(args)
        except Exception as error:  # one benchmark failing does not lose the others' figures
            if len(names) == 1:
                raise
            result = {"title": REGISTRY[name], "rows": [], "error": repr(error)}
            print(f"   failed: {error!r}", flush=True)
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        report["benchmarks"][name] = result
        print(markdown_tables({"benchmarks": {name: result}}), flush=True)
        path.write_text(json.dumps(report, indent=2) + "\n")  # kept if a later one crashes
    path.write_text(json.dumps(report, indent=2) + "\n")
    chart(report, path.with_suffix(".png"))
    print(f"wrote {path} and {path.with_suffix('.png')}")
    return path


def sizes(args, full: list[int], quick: list[int]) -> list[int]:
    if args.sizes:
        return [int(x) for x in args.sizes.split(",")]
    return quick if args.quick else full


# -- tables and chart -------------------------------------------------------------------------


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}".replace(",", " ")
        return f"{value:.2f}" if value >= 1 else f"{value:.3f}"
    return str(value)


def markdown_tables(report: dict) -> str:
    """One table per benchmark: every side of every case, with the ratios to Townsquare's
    row of the same case (throughput: this ÷ townsquare; p99: townsquare ÷ this)."""
    parts = []
    for name, result in report["benchmarks"].items():
        parts.append(f"#### {name}: {result.get('title', '')}\n")
        if result.get("error"):
            parts.append(f"failed: `{result['error']}`\n")
        extra = result.get("columns", [])  # a benchmark's own figures, e.g. rss_mb
        head = "| case | side | ops | ops/s | p50 ms | p99 ms | p99.9 ms | CPU s / 1k ops |"
        head += "".join(f" {c} |" for c in extra) + " ops/s ratio | p99 ratio |"
        parts += [head, "|---|---|" + "---:|" * (8 + len(extra))]
        ours = {r["case"]: r for r in result.get("rows", []) if r["side"] == PROJECT}
        for r in result.get("rows", []):
            mine = ours.get(r["case"])
            thr = p99 = None
            if mine and r is not mine:
                if r.get("ops_per_s") and mine.get("ops_per_s"):
                    thr = f"{r['ops_per_s'] / mine['ops_per_s']:.1f}×"
                if r.get("p99_ms") and mine.get("p99_ms"):
                    p99 = f"{mine['p99_ms'] / r['p99_ms']:.1f}×"
            cells = [r["case"], r["side"], r.get("ops"), r.get("ops_per_s"), r.get("p50_ms")]
            cells += [r.get("p99_ms"), r.get("p999_ms"), r.get("cpu_s_per_1k")]
            cells += [r.get(c) for c in extra] + [thr, p99]
            parts.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
        for note in result.get("notes", []):
            parts.append(f"\n{note}")
        parts.append("")
    return "\n".join(parts)


def write_readme_table(runs: list[Path], readme: Path = README) -> None:
    """Replace what stands between the table markers of `readme` with the runs' tables,
    each headed by its date, backends and machine."""
    blocks = [TABLE_START]
    for path in runs:
        report = json.loads(Path(path).read_text())
        m = report["machine"]
        blocks.append(
            f"### {report['date']} · backends {report['backends']}"
            f"{' · quick' if report.get('quick') else ''} · server `{report.get('server', '?')}`\n\n"
            f"Machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gb', '?')} GB, "
            f"Python {m['python']}, {m.get('system', '')}.\n"
            + (f"\n{report['note']}\n" if report.get("note") else "")
        )
        blocks.append(markdown_tables(report))
    blocks.append(TABLE_END)
    text = readme.read_text() if readme.exists() else ""
    new = "\n".join(blocks)
    if TABLE_START in text and TABLE_END in text:
        before, rest = text.split(TABLE_START, 1)
        after = rest.split(TABLE_END, 1)[1]
        text = before + new + after
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    readme.write_text(text)


def chart(report: dict, path: Path) -> None:
    """Throughput and p99 of every side of every case (dots on log scales, which bars cannot
    use; Townsquare's in red, the baselines' in blue), one row of panels per benchmark."""
    import altair as alt
    import pandas as pd

    panels = []
    for name, result in report["benchmarks"].items():
        rows = [r for r in result.get("rows", []) if r.get("ops_per_s") or r.get("p99_ms")]
        if not rows:
            continue
        frame = pd.DataFrame(rows)
        cases = list(dict.fromkeys(frame["case"]))
        base = alt.Chart(frame).encode(
            x=alt.X("side:N", title=None, sort=None),
            color=alt.condition(
                alt.datum.side == PROJECT, alt.value("#e45756"), alt.value("#4c78a8")
            ),
        )
        figures = []
        for column, title in (("ops_per_s", "ops/s"), ("p99_ms", "p99 ms")):
            if column in frame and frame[column].notna().any():
                figures.append(
                    base.mark_point(filled=True, size=90)
                    .encode(y=alt.Y(f"{column}:Q", title=title, scale=alt.Scale(type="log")))
                    .properties(width=alt.Step(14), height=160)
                    .facet(column=alt.Column("case:N", title=None, sort=cases))
                    .resolve_scale(x="independent")
                    .properties(title=f"{name}: {title}")
                )
        panels.append(alt.hconcat(*figures))
    alt.vconcat(*panels).save(str(path), format="png")


def standalone(name: str, *options: tuple[str, object]) -> None:
    """`python bench/<script>.py [--backends real] [--quick] [its options]`: run one
    benchmark of the suite outside the harness and print its table (nothing written).
    `options` are (flag, default) pairs; the default's type is the option's."""
    module = importlib.import_module(name)
    parser = argparse.ArgumentParser(
        description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    parser.add_argument("--quick", action="store_true")
    for flag, default in options:
        parser.add_argument(flag, type=type(default), default=default)
    parser.set_defaults(sizes=None, duration=None)
    result = module.run(parser.parse_args())
    names = {module: key for key, module in REGISTRY.items()}
    print(markdown_tables({"benchmarks": {names.get(name, name): result}}))
