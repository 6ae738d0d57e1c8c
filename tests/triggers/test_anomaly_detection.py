"""The anomaly detector end to end, on a running `townsquare dev`, embedded and on the real
servers: a normal workload (the demo community) is not flagged; a burst of chat messages
from one account over MQTT and 30 wrong passwords are flagged within seconds, and each
flag reaches an operator's WebSocket within a second."""

from __future__ import annotations

import json
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import websocket
from rich.progress import Progress

from functions.anomalies.detector import FAMILIES
from shared.records import parse_time
from shared.settings import Settings
from tests.conftest import RUN, Api, real_overrides
from tests.triggers.conftest import Running
from triggers.emulator import Emulator
from triggers.emulator.demo import DemoLoader

BURST = 40  # chat messages from one account within a minute
FLAGGED_WITHIN = 10.0  # seconds
PUSHED_WITHIN = 1.0  # seconds from a flag to the operator's socket


def _own_database(url: str, name: str) -> str:
    """A fresh PostgreSQL database beside the stack's, for the demo's fixed demo accounts
    (dropped after the test)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _real_settings(request, tmp_path) -> tuple[Settings, callable]:
    request.getfixturevalue("run_event_groups")  # this run's consumer groups, at the log's end
    overrides = real_overrides()
    name = f"townsquare_anomaly_{RUN}_{uuid.uuid4().hex[:6]}"
    stack_accounts = overrides["accounts_url"]
    overrides["accounts_url"] = _own_database(stack_accounts, name)
    search = urlsplit(overrides["search_url"])
    overrides["search_url"] = urlunsplit(search._replace(path=f"/{name.replace('_', '-')}"))
    settings = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)
    return settings, lambda: _drop_database(stack_accounts, name)


@pytest.fixture(params=["embedded", pytest.param("real", marks=pytest.mark.real)])
def running(request, tmp_path):
    cleanup = None
    if request.param == "real":
        settings, cleanup = _real_settings(request, tmp_path)
    else:
        settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    emulator = Emulator(settings, host="127.0.0.1", port=0, mqtt_port=0)
    emulator.start()
    yield Running(emulator)
    if request.param == "real":  # the test's own search index goes with it
        search = emulator.services.search
        search.client.indices.delete(index=search.index_name, ignore_unavailable=True)
    emulator.shutdown()
    if cleanup is not None:
        cleanup()


def flags(running: Running, operator, since: str) -> list[dict]:
    answer = running.call("GET", f"/insights/anomalies?since={since}", operator.token)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def settled(running: Running, person: dict) -> None:
    """Wait until the event functions have counted everything sent so far: a last message,
    sent after it all, has been counted."""
    running.call(
        "POST", "/messages", person["token"], json={"to_user": person["uuid"], "text": "."}
    )
    series = f"messages.account:{person['uuid']}"
    live = running.services.live

    def counted() -> bool:
        minute = int(time.time() // 60)
        return sum(live.counts(series, minute - 1, minute)) >= 1

    running.wait_for(counted, timeout=60)
    time.sleep(1.0)  # other partitions of the bus may trail by a poll or two


class Listener:
    """Collects an operator's stream frames in the background, with when each arrived."""

    def __init__(self, socket) -> None:
        self.ws = socket.ws
        self.frames: list[tuple[float, dict]] = []
        self.stop = threading.Event()
        self.ws.settimeout(0.1)
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.stop.is_set():
            try:
                frame = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                return
            self.frames.append((time.time(), frame))

    def anomalies(self) -> dict[str, float]:
        """{series: when its anomaly.detected frame arrived}"""
        return {
            frame["data"]["series"]: when
            for when, frame in self.frames
            if frame["type"] == "anomaly.detected"
        }

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.ws.close()


@pytest.mark.slow
def test_a_burst_and_wrong_passwords_are_flagged_and_normal_traffic_is_not(running):
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    operator = Api(running.emulator.app.test_client(), running.emulator.dispatcher).operator()
    stream = Listener(running.socket({"token": operator.token}))

    DemoLoader(running.emulator.app, users=24, seed=11).load(Progress(disable=True))
    mallory, victim = running.person("Mallory"), running.person("Victim")
    settled(running, mallory)
    assert flags(running, operator, start) == []
    assert stream.anomalies() == {}

    group = running.group(victim, mallory, private=False)
    bystander = Listener(running.socket(victim))  # not an operator: sees no flag
    publisher = running.mqtt()
    for i in range(BURST):
        payload = {"token": mallory["token"], "text": f"buy now {i}", "client_id": f"b-{i}"}
        publisher.publish(
            f"townsquare/chat/group/{group}", json.dumps(payload), qos=1
        ).wait_for_publish(5)
    publisher.loop_stop()
    email = running.call("GET", "/users/me", victim["token"]).json()["user"]["email"]
    wrong = {"email": email, "password": "guess!"}
    answers = [running.call("POST", "/auth/login", json=wrong).status_code for _ in range(30)]
    assert set(answers) <= {401, 429}  # the sign-in limit refuses what passes its budget
    assert answers.count(401) >= FAMILIES["logins.failed.account"].floor

    expected = {f"messages.account:{mallory['uuid']}", f"logins.failed.account:{victim['uuid']}"}
    raised = running.wait_for(
        lambda: (
            (found := flags(running, operator, start))
            and {f["series"] for f in found} >= expected
            and found
        ),
        timeout=FLAGGED_WITHIN,
    )
    assert {f["series"] for f in raised} == expected  # nothing else: the rest was normal
    pushed = running.wait_for(lambda: set(stream.anomalies()) == expected and stream.anomalies())
    for flag in raised:
        assert pushed[flag["series"]] - parse_time(flag["at"]).timestamp() < PUSHED_WITHIN
    assert bystander.anomalies() == {} and bystander.frames  # it did get the group's messages
    stream.close()
    bystander.close()
