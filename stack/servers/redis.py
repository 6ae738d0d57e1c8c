"""Redis (Debian ``redis-server``) on 127.0.0.1:16379 with its own config and no persistence."""

from __future__ import annotations

import shutil
import subprocess

from ..base import Server
from ..install import apt_install
from ..paths import HOST


class Redis(Server):
    name = "redis"
    port = 16379
    port_name = "LIVE"
    url = f"redis://{HOST}:{port}/0"
    start_timeout = 30
    durable = False  # True: an append-only file synced on every write (survives a kill -9)

    def install(self) -> None:
        if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
            apt_install("redis-server", "redis-tools")

    def prepare(self) -> None:
        (self.home / "redis.conf").write_text(
            f"bind {HOST}\nport {self.port}\nprotected-mode yes\ndaemonize no\n"
            f'dir {self.home}\nsave ""\nappendonly {"yes" if self.durable else "no"}\n'
            "appendfsync always\nmaxmemory 256mb\n"
            'maxmemory-policy noeviction\nlogfile ""\ndatabases 16\n'
        )

    def command(self) -> list[str]:
        return [shutil.which("redis-server") or "redis-server", str(self.home / "redis.conf")]

    def healthy(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()

    ready = healthy

    def version(self) -> str:
        try:
            import redis

            client = redis.Redis.from_url(self.url, socket_timeout=2)
            return "Redis " + client.info("server")["redis_version"]
        except Exception:
            # "Redis server v=7.0.15 sha=..."
            out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
            return "Redis " + out.stdout.split("v=")[1].split()[0]
