"""The stack's own machinery, without the real servers: start/stop of a detached process with a
pid file and health wait, idempotence, failure reports, the Maven pom and the command line."""

from __future__ import annotations

import socket
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stack import ENV, URLS, maven
from stack.base import Server, StackError, pid_alive
from stack.cli import run
from stack.servers import ALL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HttpServer(Server):
    """A stand-in server: Python's http.server on a free loopback port."""

    name = "dummy"
    start_timeout = 20
    stop_timeout = 5

    def __init__(self, argv_tail: list[str] | None = None) -> None:
        self.port = _free_port()
        self.tail = argv_tail

    def command(self) -> list[str]:
        if self.tail is not None:
            return [sys.executable, *self.tail]
        return [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"]

    def healthy(self) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2) as resp:
            return resp.status == 200


@pytest.fixture(autouse=True)
def stack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOWNSQUARE_STACK_DIR", str(tmp_path / "stack"))
    monkeypatch.setenv("TOWNSQUARE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "stack"


def test_start_is_idempotent_and_stop_ends_the_process(stack_dir: Path) -> None:
    server = HttpServer()
    try:
        assert server.start() is True
        pid = server.pid()
        assert pid is not None and pid_alive(pid)
        assert (stack_dir / "pids" / "dummy.pid").exists()
        assert (stack_dir / "logs" / "dummy.log").exists()
        assert server.state() == "running"
        assert server.start() is False  # already healthy: nothing new is spawned
        assert server.pid() == pid
        assert server.rss_kib() > 0
    finally:
        assert server.stop() is True
    assert not pid_alive(pid)
    assert server.state() == "stopped"
    assert server.stop() is False


def test_a_server_that_exits_fails_with_its_log_tail() -> None:
    server = HttpServer(["-c", "import sys; print('boom: bad config'); sys.exit(3)"])
    with pytest.raises(StackError) as info:
        server.start()
    assert "exited with code 3" in str(info.value)
    assert "boom: bad config" in str(info.value)
    assert server.pid() is None


def test_a_port_held_by_someone_else_is_reported() -> None:
    server = HttpServer(["-c", "import time; time.sleep(60)"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", server.port))
        sock.listen()
        with pytest.raises(StackError, match="in use"):
            server.start()


def test_pom_lists_the_artifacts_and_the_output_dir(tmp_path: Path) -> None:
    text = maven.pom(
        "kafka-x", ["org.apache.kafka:kafka_2.13:4.1.1"], ["org.slf4j:slf4j-reload4j"], tmp_path
    )
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.fromstring(text)
    dep = root.find("m:dependencies/m:dependency", ns)
    assert dep is not None
    assert dep.findtext("m:artifactId", namespaces=ns) == "kafka_2.13"
    assert dep.findtext("m:exclusions/m:exclusion/m:artifactId", namespaces=ns) == "slf4j-reload4j"
    out = root.findtext(".//m:plugin/m:configuration/m:outputDirectory", namespaces=ns)
    assert out == str(tmp_path)
    assert not maven.is_resolved("kafka-x", ["org.apache.kafka:kafka_2.13:4.1.1"])


def test_env_prints_one_export_per_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["env"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(URLS) == len([s for s in ALL if s.port_name])
    assert "export TOWNSQUARE_ACCOUNTS_URL='" + URLS["accounts"] + "'" in lines
    assert set(ENV) == {f"TOWNSQUARE_{name.upper()}_URL" for name in URLS}


def test_unknown_command_and_server_are_refused() -> None:
    assert run(["frobnicate"]) == 2
    with pytest.raises(SystemExit, match="unknown server"):
        run(["up", "mongodb"])
