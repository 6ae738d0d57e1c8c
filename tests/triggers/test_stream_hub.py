"""The stream's hub: one live-store listener per process, group channels kept by control
events, pushed session ends, and a server restart that closes sockets with 1012.

Run against a running `townsquare dev` (and a `townsquare serve` subprocess), with
websocket-client; the live store's own PUBSUB NUMSUB counts subscribed connections."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
import websocket

from shared import channels
from tests.conftest import REAL, real_overrides
from tests.triggers.conftest import Socket

ROOT = Path(__file__).parents[2]


def subscribers(running, channel: str) -> int:
    """Connections subscribed to `channel` in the live store (Redis or fakeredis)."""
    from shared.adapters.live.redis import PREFIX

    client = running.services.live.client
    return dict(client.pubsub_numsub(PREFIX + channel)).get(PREFIX + channel, 0)


def close_frame(ws: websocket.WebSocket, within: float = 5.0) -> tuple[int, str]:
    """The (code, reason) of the server's close frame; fails if none comes in time."""
    ws.settimeout(within)
    while True:
        opcode, frame = ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else 1005
            return code, frame.data[2:].decode()


def created(frames: list[dict]) -> list[str]:
    return [f["data"]["text"] for f in frames if f["type"] == "message.created"]


def test_one_publish_reaches_every_local_socket_through_one_listener(running):
    ada, bob, cy = (running.person(n) for n in ("Ada", "Bob", "Cy"))
    group = running.group(ada, bob, cy)
    sockets = [running.socket(p) for p in (ada, bob, cy, bob)]  # Bob twice
    assert subscribers(running, channels.group(group)) == 1  # one connection, four sockets
    assert subscribers(running, channels.user(bob["uuid"])) == 1

    sent = running.call(
        "POST", "/messages", ada["token"], json={"to_group": group, "text": "hello all"}
    )
    assert sent.status_code == 201, sent.text
    # also published on the group channel, as the fan-out by group does: still once each
    running.services.live.publish(
        channels.group(group), {"type": "message.created", "data": sent.json()["message"]}
    )
    for each in sockets:
        assert created(each.drain(0.7)) == ["hello all"]


def test_group_joined_and_left_events_keep_a_sockets_group_channel(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    group = running.group(ada)  # Bob is not a member yet
    bob_socket = running.socket(bob)
    live = running.services.live
    assert subscribers(running, channels.group(group)) == 0

    def on_group(text: str) -> None:
        data = {"uuid": str(uuid.uuid4()), "text": text, "group": group}
        live.publish(channels.group(group), {"type": "message.created", "data": data})

    live.publish(channels.user(bob["uuid"]), {"type": "group.joined", "data": {"group": group}})
    running.wait_for(lambda: subscribers(running, channels.group(group)) == 1)
    on_group("while a member")
    live.publish(channels.user(bob["uuid"]), {"type": "group.left", "data": {"group": group}})
    running.wait_for(lambda: subscribers(running, channels.group(group)) == 0)
    on_group("after leaving")
    frames = bob_socket.drain(0.7)
    assert created(frames) == ["while a member"]
    # the client is told too, after its socket gained (or lost) the channel
    assert [f["type"] for f in frames if f["type"] in ("group.joined", "group.left")] == [
        "group.joined",
        "group.left",
    ]


def test_a_session_end_closes_only_that_sessions_sockets(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    phone = running.call(
        "POST", "/auth/login", json={"email": ada["email"], "password": "long enough pw"}
    ).json()["token"]
    laptop_socket, phone_socket = running.socket(ada), running.socket({"token": phone})
    assert running.call("POST", "/auth/logout", ada["token"]).status_code == 204
    code, reason = close_frame(laptop_socket.ws)
    assert (code, reason) == (1008, "logged out")
    running.call("POST", "/messages", bob["token"], json={"to_user": ada["uuid"], "text": "hi"})
    assert phone_socket.next()["data"]["text"] == "hi"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data: Path, port: int, started: list[subprocess.Popen]) -> subprocess.Popen:
    env = dict(os.environ)
    if REAL:
        overrides = {k: v for k, v in real_overrides().items() if k != "mqtt_url"}
        env.update({f"TOWNSQUARE_{k.upper()}": v for k, v in overrides.items()})
    command = [sys.executable, "-m", "triggers.cli", "serve", "--workers", "1", "--no-triggers"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--data", str(data)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    started.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).ok:
                return process
        except requests.RequestException:  # not listening yet, or still warming up
            pass
        assert process.poll() is None, "townsquare serve exited"
        time.sleep(0.2)
    raise AssertionError("townsquare serve did not answer /health")


def test_sigterm_closes_sockets_with_1012_and_the_client_resumes_with_since(tmp_path):
    from tests.triggers.conftest import Running

    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    started: list[subprocess.Popen] = []
    try:
        server = _serve(tmp_path / "data", port, started)
        api = Running.__new__(Running)  # its HTTP helpers only, against the subprocess
        api.base = base
        ada, bob = api.person("Ada"), api.person("Bob")
        stream = f"ws://127.0.0.1:{port}/api/v1/stream?token={bob['token']}"
        bob_socket = Socket(websocket.create_connection(stream, timeout=5))
        api.call("POST", "/messages", ada["token"], json={"to_user": bob["uuid"], "text": "one"})
        first = bob_socket.next()["data"]
        server.send_signal(signal.SIGTERM)
        assert close_frame(bob_socket.ws) == (1012, "service restart; reconnect with ?since=")
        # shut down, within the drain bound; uvicorn then re-raises the signal it caught
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        _serve(tmp_path / "data", port, started)
        api.call("POST", "/messages", ada["token"], json={"to_user": bob["uuid"], "text": "two"})
        resumed = Socket(websocket.create_connection(f"{stream}&since={first['uuid']}", timeout=5))
        assert created(resumed.drain(1.0)) == ["two"]
    finally:
        for process in started:
            process.kill()
            process.wait(timeout=30)
