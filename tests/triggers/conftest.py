"""A running `townsquare dev` (HTTP, WebSocket, embedded MQTT broker, events, cron) on free
ports, and real clients for it: requests over HTTP, websocket-client, paho-mqtt."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
import requests
import websocket

from shared.settings import Settings
from tests.conftest import REAL, real_overrides
from triggers.emulator import Emulator


class Running:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.base = emulator.base_url
        self.ws_base = self.base.replace("http://", "ws://")

    @property
    def services(self):
        return self.emulator.services

    def call(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = requests.request(method, self.base + path, headers=headers, timeout=10, **kw)
        assert response.status_code != 500, response.text
        return response

    def person(self, name: str) -> dict:
        email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.org"
        body = {"email": email, "name": name, "password": "long enough pw"}
        assert self.call("POST", "/auth/signup", json=body).status_code == 201
        login = self.call(
            "POST", "/auth/login", json={"email": email, "password": "long enough pw"}
        ).json()
        return {"uuid": login["user"]["uuid"], "token": login["token"], "email": email}

    def group(self, admin: dict, *members: dict, private: bool = True) -> str:
        group = self.call(
            "POST", "/groups", admin["token"], json={"name": "Chat club", "is_private": private}
        )
        uuid_ = group.json()["group"]["uuid"]
        for member in members:
            added = self.call(
                "POST",
                f"/groups/{uuid_}/members",
                admin["token"],
                json={"user_uuid": member["uuid"]},
            )
            assert added.status_code == 201, added.text
        return uuid_

    def socket(self, person: dict, **query) -> Socket:
        params = "&".join(f"{k}={v}" for k, v in {"token": person["token"], **query}.items())
        return Socket(websocket.create_connection(f"{self.ws_base}/stream?{params}", timeout=5))

    def mqtt(self, role: str = "chat", name: str | None = None) -> mqtt.Client:
        """A connected paho client with an account of `role` on the embedded broker (client id
        = username, as the policy wants); on the stack's loopback Mosquitto, anonymous."""
        name = name or f"{role}-{uuid.uuid4().hex[:8]}"
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=name)
        if self.emulator.broker is not None:
            client.username_pw_set(name, self.emulator.broker.book.add(name, role, in_memory=True))
        parts = urlsplit(self.emulator.mqtt_url)
        client.connect(parts.hostname, parts.port)
        client.loop_start()
        return client

    def wait_for(self, check, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {check}")


class Socket:
    """A websocket-client connection that collects JSON frames."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self.ws = ws

    def next(self, type: str = "message.created", timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            frame = json.loads(self.ws.recv())
            if frame["type"] == type:
                return frame
        raise AssertionError(f"no {type} frame within {timeout}s")

    def drain(self, seconds: float = 0.5) -> list[dict]:
        frames = []
        self.ws.settimeout(seconds)
        try:
            while True:
                frames.append(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            return frames

    def send(self, payload: dict) -> None:
        self.ws.send(json.dumps(payload))

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def running(tmp_path):
    overrides = real_overrides() if REAL else {}
    settings = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)
    emulator = Emulator(settings, host="127.0.0.1", port=0, mqtt_port=0)
    emulator.start()
    yield Running(emulator)
    emulator.shutdown()
