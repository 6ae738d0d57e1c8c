"""The ``Server`` base class: install, start (detached, logged, pid file, health wait), stop.

A subclass says how to install itself (``install``), what to write before the first start
(``prepare``), the command line to spawn (``command``), how to tell it answers (``ready``), what
to create once it answers (``bootstrap``: a database, a keyspace, a bucket) and how to tell it is
fully usable (``healthy``, a real protocol check with the server's own client).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .paths import HOST, logs_dir, pids_dir, server_dir


class StackError(RuntimeError):
    """A server could not be installed, started or stopped."""


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _start_ticks(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks (field 22 of /proc/pid/stat), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited


class Server:
    """One server of the test stack, on a fixed loopback port."""

    name: str = ""
    port: int = 0
    port_name: str = ""  # the Townsquare port it backs: ACCOUNTS, CONTENT, ...
    url: str = ""
    start_timeout: float = 90.0
    stop_timeout: float = 30.0
    jvm: bool = False  # slow to start: started at most two at a time
    run_as: str | None = None  # when root, run the server as this (system) user
    stop_signal: int = signal.SIGTERM

    # --- what subclasses provide -------------------------------------------------------------

    def install(self) -> None:
        """Install what is missing (apt, Maven, pip). Idempotent."""

    def prepare(self) -> None:
        """Write configs and initialise data before a start. Idempotent."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def spawn_kwargs(self) -> dict:
        """Extra ``subprocess.Popen`` arguments (env, user, cwd)."""
        return self.user_kwargs()

    def user_kwargs(self) -> dict:
        """``user``/``group`` arguments for subprocess when we are root and ``run_as`` is set."""
        if self.run_as and os.geteuid() == 0:
            return {"user": self.run_as, "group": self.run_as, "extra_groups": []}
        return {}

    def ready(self) -> bool:
        """The server answers its protocol (used while waiting for a start)."""
        return port_open(self.port)

    def bootstrap(self) -> None:
        """Create what the app expects (database, keyspace, bucket) once the server answers."""

    def healthy(self) -> bool:
        """A real protocol check with the server's own client."""
        return self.ready()

    def version(self) -> str:
        return "?"

    # --- shared machinery --------------------------------------------------------------------

    @property
    def home(self) -> Path:
        return server_dir(self.name)

    @property
    def log_path(self) -> Path:
        return logs_dir() / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return pids_dir() / f"{self.name}.pid"

    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def pid(self) -> int | None:
        """The pid from the pid file, if that process is still the one we started."""
        try:
            pid_text, ticks = self.pid_path.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return None
        if not pid_alive(pid) or _start_ticks(pid) != ticks:
            return None
        return pid

    def safe_healthy(self) -> bool:
        """``healthy()`` that never raises; a closed port answers at once (no client timeouts)."""
        if not port_open(self.port):
            return False
        try:
            return bool(self.healthy())
        except Exception:
            return False

    def state(self) -> str:
        if self.safe_healthy():
            return "running"
        if self.pid() is not None:
            return "starting/unhealthy"
        if port_open(self.port):
            return "port busy (not ours)"
        return "stopped"

    def extra_logs(self) -> list[Path]:
        """Log files the server writes itself (shown after ours when a start fails)."""
        return []

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in [self.log_path, *self.extra_logs()]:
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            parts.append(f"--- {path}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts) or "(no log)"

    def start(self) -> bool:
        """Start unless already healthy. Returns True if it started a process, False if not."""
        if self.safe_healthy():
            return False
        pid = self.pid()
        if pid is None and port_open(self.port):
            # Not started by us (or its pid file is gone): fine if it is healthy, else refuse.
            if self._wait(self.safe_healthy, 5):
                return False
            raise StackError(
                f"{self.name}: port {self.port} is in use by another process that does not "
                f"answer as {self.name}"
            )
        if pid is not None:
            # Ours but not healthy yet (another `up` may be starting it): wait for it.
            if self._wait(self.safe_ready, self.start_timeout, pid):
                self._bootstrap_and_wait()
                return False
            self.stop()
        self.install()
        self.prepare()
        self._spawn()
        return True

    def safe_ready(self) -> bool:
        if not port_open(self.port):
            return False
        try:
            return bool(self.ready())
        except Exception:
            return False

    def _spawn(self) -> None:
        argv = self.command()
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        shown = " ".join(a if len(a) < 200 else a[:60] + "..." for a in argv)
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start: {shown}\n".encode())
        log.flush()
        kwargs = {"cwd": str(self.home), **self.spawn_kwargs()}
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                **kwargs,
            )
        finally:
            log.close()
        self.pid_path.write_text(f"{proc.pid} {_start_ticks(proc.pid)}\n")
        self._proc = proc
        if not self._wait(self.safe_ready, self.start_timeout, proc.pid):
            code = proc.poll()
            if code is None:
                why = f"was not ready after {self.start_timeout:.0f}s (stopped it)"
                self.stop()
            else:
                why = f"exited with code {code}"
                self.pid_path.unlink(missing_ok=True)
            raise StackError(f"{self.name} {why}; log {self.log_path}:\n{self.log_tail()}")
        self._bootstrap_and_wait()

    def _bootstrap_and_wait(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                self.bootstrap()
                if self.healthy():
                    return
            except Exception as exc:  # the server may still be settling
                last = exc
            time.sleep(1)
        raise StackError(f"{self.name} answered but is not healthy: {last!r}\n{self.log_tail()}")

    def _wait(self, check, timeout: float, pid: int | None = None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            if pid is not None:
                proc = getattr(self, "_proc", None)
                if proc is not None and proc.pid == pid:
                    if proc.poll() is not None:
                        return False
                elif not pid_alive(pid):
                    return False
            time.sleep(0.5)
        return False

    def stop(self) -> bool:
        """SIGTERM the process group from the pid file, wait, then SIGKILL. True if it stopped one."""
        pid = self.pid()
        if pid is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        self._signal(pid, self.stop_signal)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and pid_alive(pid):
            self._reap(pid)
            time.sleep(0.3)
        if pid_alive(pid):
            self._signal(pid, signal.SIGKILL)
            time.sleep(0.5)
        self._reap(pid)
        self.pid_path.unlink(missing_ok=True)
        self.after_stop()
        return True

    def after_stop(self) -> None:
        """Clean-up after the process is gone (stale locks and the like)."""

    @staticmethod
    def _signal(pid: int, sig: int) -> None:
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    @staticmethod
    def _reap(pid: int) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def rss_kib(self) -> int:
        """Resident memory of the process and its descendants in KiB (0 if not running)."""
        pid = self.pid()
        if pid is None:
            return 0
        out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True)
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for line in out.stdout.splitlines():
            p, pp, r = (int(x) for x in line.split())
            children.setdefault(pp, []).append(p)
            rss[p] = r
        total, todo = 0, [pid]
        while todo:
            p = todo.pop()
            total += rss.get(p, 0)
            todo.extend(children.get(p, []))
        return total
