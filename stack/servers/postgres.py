"""PostgreSQL (Debian ``postgresql``) on 127.0.0.1:15432 with its own data dir under the stack dir.

initdb and the server run as the ``postgres`` user when we are root. The superuser gets a
password (``postgres``) so that everything, including bootstrapping the ``townsquare`` role and
database, goes over TCP; there is no Unix socket.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess

from ..base import Server, StackError
from ..install import apt_install
from ..paths import HOST

USER = DB = PASSWORD = "townsquare"
SUPER_PASSWORD = "postgres"


def _bindir() -> str:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise StackError("postgresql is not installed")
    return os.path.dirname(found[-1])


class Postgres(Server):
    name = "postgres"
    port = 15432
    port_name = "ACCOUNTS"
    url = f"postgresql://{USER}:{PASSWORD}@{HOST}:{port}/{DB}"
    start_timeout = 60
    durable = False  # True: a commit is acknowledged once its WAL is written

    @property
    def data(self):
        return self.home / "data"

    run_as = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: do not wait for clients to disconnect

    def _as_postgres(self) -> dict:
        return self.user_kwargs()

    def install(self) -> None:
        if not glob.glob("/usr/lib/postgresql/*/bin/postgres") or shutil.which("psql") is None:
            apt_install("postgresql", "postgresql-client")

    def prepare(self) -> None:
        if (self.data / "PG_VERSION").exists():
            (self.data / "postmaster.pid").unlink(missing_ok=True)  # stale after a kill
            return
        self.data.mkdir(parents=True, exist_ok=True)
        pwfile = self.home / "superuser.pw"
        pwfile.write_text(SUPER_PASSWORD + "\n")
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            for path in (self.home, self.data, pwfile):
                os.chown(path, pg.pw_uid, pg.pw_gid)
        os.chmod(self.data, 0o700)
        proc = subprocess.run(
            [
                f"{_bindir()}/initdb", "-D", str(self.data), "-U", "postgres",
                f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            ],
            capture_output=True, text=True, cwd="/", **self._as_postgres(),
        )  # fmt: skip
        pwfile.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise StackError(f"initdb failed:\n{proc.stdout}{proc.stderr}")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# townsquare test stack\n"
                f"listen_addresses = '{HOST}'\nport = {self.port}\n"
                "unix_socket_directories = ''\nmax_connections = 100\n"
                "shared_buffers = 128MB\nfsync = off\n"
                f"synchronous_commit = {'on' if self.durable else 'off'}\n"
                "full_page_writes = off\nlogging_collector = off\n"
            )

    def command(self) -> list[str]:
        return [f"{_bindir()}/postgres", "-D", str(self.data)]

    def ready(self) -> bool:
        proc = subprocess.run(
            [f"{_bindir()}/pg_isready", "-q", "-h", HOST, "-p", str(self.port)], capture_output=True
        )
        return proc.returncode == 0

    def _psql(self, sql: str) -> str:
        env = {**os.environ, "PGPASSWORD": SUPER_PASSWORD}
        proc = subprocess.run(
            ["psql", "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        if proc.returncode != 0:
            raise StackError(f"psql: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def bootstrap(self) -> None:
        if not self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{USER}'"):
            self._psql(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}' CREATEDB")
        if not self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"):
            self._psql(f"CREATE DATABASE {DB} OWNER {USER}")

    def healthy(self) -> bool:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=3) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)

    def version(self) -> str:
        try:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=3) as conn:
                return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
        except Exception:
            out = subprocess.run(
                [f"{_bindir()}/postgres", "--version"], capture_output=True, text=True
            )
            return "PostgreSQL " + out.stdout.split("(PostgreSQL)")[1].split()[0]
