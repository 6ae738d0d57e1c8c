"""The container's command lines, run as a Knative pod would run them: the Dockerfile's CMD
with the Dockerfile's ENV, the environment knative/services.yaml gives the Service, its
ConfigMap's (empty: embedded backends) and PORT, which Knative sets. Each is driven with
its real input and the function's effect is read back from the stores:

- an HTTP target: an HTTP request;
- an event target: CloudEvents in binary and in structured mode, as the Knative Broker
  delivers them (the cloudevents library's to_binary / to_structured), and a poison event,
  which is dead-lettered with the reason;
- a cron target: a PingSource's event (type dev.knative.sources.ping, its source the
  PingSource's path, `time` the scheduled minute, data the manifest's `{}`);
- the WebSocket gateway (ts-stream): its `townsquare serve` command, a socket through it.

The MQTT bridge's command (knative/mqtt.yaml) is run and driven with an MQTT publish on the
embedded broker in tests/triggers/test_bridge_command.py. No image is built here (see the
README); the checkout is the image's /app."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from simple_websocket import Client

from shared.context import Services
from shared.ports.bus import DEAD_LETTER
from shared.records import Message
from shared.settings import Settings
from tests.buslog import BusLog

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def dockerfile() -> tuple[list[str], dict[str, str]]:
    """The image's CMD and ENV (its WORKDIR /app is this checkout)."""
    text = (ROOT / "Dockerfile").read_text()
    [cmd] = re.findall(r"^CMD (\[.*\])$", text, re.M)
    env = {}
    for line in re.findall(r"^ENV (.*)$", text, re.M):
        env |= dict(pair.split("=", 1) for pair in line.split())
    return json.loads(cmd), {k: v.replace("/app", str(ROOT)) for k, v in env.items()}


def manifest(name: str) -> tuple[dict, dict[str, str]]:
    """The Service's container and the environment the manifests give it."""
    services = yaml.safe_load_all((ROOT / "knative" / "services.yaml").read_text())
    [service] = [s for s in services if s["metadata"]["name"] == name]
    container = service["spec"]["template"]["spec"]["containers"][0]
    [config] = yaml.safe_load_all((ROOT / "knative" / "config.yaml").read_text())
    [ref] = container["envFrom"]
    assert ref["configMapRef"]["name"] == config["metadata"]["name"]
    env = dict(config["data"]) | {e["name"]: e["value"] for e in container.get("env", [])}
    return container, env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def pod(name: str, data: Path):
    """Run Service `name`'s container command (the image's CMD unless the manifest names
    one) on a free PORT; yield its base URL once it answers."""
    container, env = manifest(name)
    command, image_env = dockerfile()
    if "command" in container:
        command = container["command"] + container["args"]
    port = free_port()
    # on this machine every server listens on loopback only (the port comes from PORT)
    command = [arg.replace("0.0.0.0:8080", f"127.0.0.1:{port}") for arg in command]
    command = ["127.0.0.1" if arg == "0.0.0.0" else arg for arg in command]
    outside = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env = outside | image_env | env | {"PORT": str(port), "TOWNSQUARE_DATA_DIR": str(data)}
    env["PATH"] = f"{BIN}:{env['PATH']}"
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, f"{name} did not listen on {port}"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


def services(data: Path) -> Services:
    return Services(Settings(data_dir=data, _env_file=None))


def message(created_at: datetime) -> Message:
    return Message(
        uuid=str(uuid.uuid4()),
        sender_uuid=str(uuid.uuid4()),
        to_user=str(uuid.uuid4()),
        to_group=None,
        text="hello from a pod",
        created_at=created_at,
    )


def test_the_image_command_serves_an_http_target(data):
    container, env = manifest("ts-signup")
    assert "command" not in container  # the image's CMD, chosen by environment
    assert env["FUNCTION_TARGET"] == "signup" and env["FUNCTION_SIGNATURE_TYPE"] == "http"
    body = {"email": "pod@example.org", "name": "Pod", "password": "long enough pw"}
    with pod("ts-signup", data) as url:
        created = httpx.post(f"{url}/api/v1/auth/signup", json=body, timeout=30)
        assert created.status_code == 201, created.text
        bad = httpx.post(f"{url}/api/v1/auth/signup", json={"email": "x"}, timeout=30)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "email"
    stores = services(data)
    try:
        assert stores.accounts.find_user_by_email("pod@example.org").name == "Pod"
    finally:
        stores.close()


def test_the_image_command_runs_an_event_target_on_the_brokers_deliveries(data):
    _, env = manifest("ts-archive-message")
    assert env["FUNCTION_SIGNATURE_TYPE"] == "cloudevent"
    binary, structured = message(datetime.now(UTC)), message(datetime.now(UTC))
    stores = services(data)
    letters = BusLog(stores, DEAD_LETTER)
    try:
        with pod("ts-archive-message", data) as url:
            for convert, sent in ((to_binary, binary), (to_structured, structured)):
                event = CloudEvent(
                    {"type": "message.created", "source": "/townsquare", "subject": sent.uuid},
                    sent.as_json(),
                )
                headers, body = convert(event)
                answer = httpx.post(url, headers=headers, content=body, timeout=30)
                assert answer.status_code == 200, answer.text
            poison = CloudEvent(
                {"type": "message.created", "source": "/townsquare", "subject": "poison-1"},
                {"text": "no uuid", "token": "secret-t0k"},
            )
            headers, body = to_structured(poison)
            assert httpx.post(url, headers=headers, content=body, timeout=30).status_code == 200
        for sent in (binary, structured):
            assert stores.content.get_archived_message(sent.uuid).text == "hello from a pod"
        [letter] = letters.events("townsquare.dead_letter", "poison-1")
        assert letter.data["function"] == "messages.archive_message"
        assert "uuid" in letter.data["reason"]
        assert "secret-t0k" not in json.dumps(letter.data)
    finally:
        letters.close()
        stores.close()


def test_the_image_command_runs_a_cron_target_on_a_ping(data):
    now = datetime.now(UTC)
    missed = message(now - timedelta(minutes=2))  # stored live, its event lost
    stores = services(data)
    stores.live.put_message(missed, 3600)
    stores.close()  # the live store's snapshot is what the pod loads
    [ping_source] = [
        d
        for d in yaml.safe_load_all((ROOT / "knative" / "eventing.yaml").read_text())
        if d["kind"] == "PingSource" and d["spec"]["sink"]["ref"]["name"] == "ts-sweep-unarchived"
    ]
    ping = CloudEvent(
        {
            "type": "dev.knative.sources.ping",
            "source": f"/apis/v1/namespaces/townsquare/pingsources/{ping_source['metadata']['name']}",
            "time": now.isoformat(),
            "datacontenttype": ping_source["spec"]["contentType"],
        },
        json.loads(ping_source["spec"]["data"]),
    )
    with pod("ts-sweep-unarchived", data) as url:
        headers, body = to_binary(ping)  # a PingSource sends binary mode
        answer = httpx.post(url, headers=headers, content=body, timeout=30)
        assert answer.status_code == 200, answer.text
    stores = services(data)
    try:
        assert stores.content.get_archived_message(missed.uuid).text == "hello from a pod"
    finally:
        stores.close()


def test_the_stream_command_holds_a_websocket(data):
    container, _ = manifest("ts-stream")
    assert container["command"] == ["townsquare"]
    body = {"email": "sock@example.org", "name": "Sock", "password": "long enough pw"}
    with pod("ts-stream", data) as url:
        assert httpx.post(f"{url}/api/v1/auth/signup", json=body, timeout=30).status_code == 201
        login = httpx.post(f"{url}/api/v1/auth/login", json=body, timeout=30).json()
        ws = Client.connect(
            url.replace("http", "ws") + "/api/v1/stream",
            headers={"Authorization": f"Bearer {login['token']}"},
        )
        try:
            ws.send(json.dumps({"type": "message.send", "data": {"to_user": str(uuid.uuid4())}}))
            answer = json.loads(ws.receive(timeout=20))
            assert answer["type"] == "error" and "text" in json.dumps(answer)
        finally:
            ws.close()
