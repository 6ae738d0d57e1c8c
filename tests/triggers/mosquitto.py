"""A private Mosquitto process for one test: its own port, config and data folder, and
stop/start that keep the port and the persistence file (to restart it mid-stream)."""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path


class PrivateMosquitto:
    def __init__(self, folder: Path, extra_config: str = "") -> None:
        assert shutil.which("mosquitto"), "`townsquare stack up` installs mosquitto"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.config = folder / "mosquitto.conf"
        # `user`: run as whoever runs the tests (as root, Mosquitto would switch to its own user)
        self.config.write_text(
            f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\n"
            f"persistence_location {folder}/\n{extra_config}"
        )
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: Mosquitto saves its persistence file
            self.process.wait(10)
            self.process = None
