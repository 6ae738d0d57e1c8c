"""R10: sessions. Tokens carry enough entropy; changing the password rotates them and ends
every other session; logout and "log out everywhere" close the sockets they opened; sign-in
is limited per account and per address; the write budget is one across HTTP, WebSocket and
MQTT. Limits are lowered on the battery's Townsquare for the test, then restored."""

from __future__ import annotations

import contextlib
import json
import math
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
import websocket

from tests.chaos.report import Row, checked
from tests.chaos.traffic import PASSWORD, Client, Tally

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup


def closed_within(socket: websocket.WebSocket, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        socket.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            frame = socket.recv()
        except websocket.WebSocketTimeoutException:
            return False
        except (websocket.WebSocketConnectionClosedException, OSError):
            return True
        if frame == "" or not socket.connected:
            return True
    return False


@contextlib.contextmanager
def limits(settings, **values):
    before = {name: getattr(settings, name) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(settings, name, value)


def test_r10_sessions(townsquare, report, chaos_stack):
    row = report.add(Row("R10 sessions"))
    tally = Tally()
    with checked(row):
        _sessions(townsquare, chaos_stack, row, tally)


def _sessions(townsquare, chaos_stack, row: Row, tally: Tally) -> None:
    settings = townsquare.services.settings
    with limits(settings, login_attempts_per_account=1000):  # ada signs in 46 times
        _tokens_and_sockets(townsquare, row, tally)
    _limits(townsquare, chaos_stack, row, tally)
    row.sent = len(tally.answers)
    row.acked = sum(a.status < 300 for a in tally.answers)
    row.rejections.update(str(a.status) for a in tally.answers if a.status >= 400)
    row.bad_5xx = len(tally.bad_5xx)
    assert not tally.bad_5xx, tally.bad_5xx


def _tokens_and_sockets(townsquare, row: Row, tally: Tally) -> None:
    api = Client(townsquare.base_url, tally)
    ws_base = townsquare.base_url.replace("http://", "ws://")

    def socket(token: str) -> websocket.WebSocket:
        return websocket.create_connection(f"{ws_base}/stream?token={token}", timeout=5)

    def login(email: str) -> str:
        answer = api.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]

    # entropy: 40 tokens, all distinct, each at least 128 bits of its alphabet
    ada = api.person("ada")
    tokens = [login(ada["email"]) for _ in range(40)]
    alphabet = len(set("".join(tokens)))
    bits = min(len(t) for t in tokens) * math.log2(alphabet)
    assert len(set(tokens)) == len(tokens) and bits >= 128, (alphabet, bits)
    row.notes.append(f"tokens: {min(map(len, tokens))} characters of a {alphabet}-symbol alphabet")
    api.call("DELETE", "/auth/sessions", tokens[0])

    # logout closes this session's socket; log out everywhere closes every socket
    one, two, three = (login(ada["email"]) for _ in range(3))
    first = socket(one)
    assert api.call("POST", "/auth/logout", one).status_code < 300
    assert closed_within(first), "logout left its socket open"
    sockets = [socket(two), socket(three)]
    assert api.call("DELETE", "/auth/sessions", two).status_code < 300
    assert all(closed_within(s) for s in sockets), "log out everywhere left a socket open"
    assert api.call("GET", "/users/me", three).status_code == 401

    # a password change ends every session and its sockets, and answers a fresh token
    old, other = login(ada["email"]), login(ada["email"])
    watching = socket(other)
    new_password = f"another long passphrase {uuid.uuid4().hex[:6]}"
    changed = api.call(
        "POST", "/auth/password", old,
        json={"current_password": PASSWORD, "new_password": new_password},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["token"]
    assert fresh not in (old, other)
    assert api.call("GET", "/users/me", old).status_code == 401
    assert api.call("GET", "/users/me", other).status_code == 401
    assert api.call("GET", "/users/me", fresh).status_code == 200
    assert closed_within(watching), "a password change left a socket open"


def _limits(townsquare, chaos_stack, row: Row, tally: Tally) -> None:
    api = Client(townsquare.base_url, tally)
    ws_base = townsquare.base_url.replace("http://", "ws://")
    settings = townsquare.services.settings
    # sign-in limits: per account, then per address, each a 429 with Retry-After
    bob = api.person("bob")
    with limits(settings, login_attempts_per_account=5):
        wrong = {"email": bob["email"], "password": "not the password at all"}
        answers = [api.call("POST", "/auth/login", json=wrong) for _ in range(8)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited and limited[0].headers.get("Retry-After"), [a.status_code for a in answers]
    with limits(settings, auth_attempts_per_address=20):
        answers = []
        for _ in range(60):
            email = f"nobody.{uuid.uuid4().hex[:8]}@example.org"
            answers.append(
                api.call("POST", "/auth/login", json={"email": email, "password": "x" * 12})
            )
            if answers[-1].status_code == 429:
                break
    assert answers[-1].status_code == 429 and answers[-1].headers.get("Retry-After")

    # one write budget across HTTP, WebSocket and MQTT
    carol, dan = api.person("carol"), api.person("dan")
    sender = websocket.create_connection(f"{ws_base}/stream?token={carol['token']}", timeout=5)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"r10-{uuid.uuid4().hex[:6]}")
    client.connect("127.0.0.1", chaos_stack["mosquitto"].port)
    client.loop_start()
    outcomes = []
    with limits(settings, write_rate_per_minute=6):
        for i in range(3):
            body = {"to_user": dan["uuid"], "text": f"http {i}"}
            outcomes.append(api.call("POST", "/messages", carol["token"], json=body).status_code)
            frame = {"type": "message.send", "data": {"to_user": dan["uuid"], "text": f"ws {i}"}}
            sender.send(json.dumps(frame))
            outcomes.append(_answer_type(sender))
            payload = json.dumps({"token": carol["token"], "text": f"mqtt {i}"})
            topic = f"townsquare/chat/user/{dan['uuid']}"
            client.publish(topic, payload, qos=1).wait_for_publish(5)
        time.sleep(2)
    client.loop_stop()
    client.disconnect()
    sender.close()
    history = api.call("GET", f"/messages?with_user={carol['uuid']}&limit=100", dan["token"])
    stored = [m["text"] for m in history.json()["items"]]
    row.notes.append(f"write budget 6/min: answers {outcomes}, {len(stored)} stored of 9 sent")
    assert len(stored) == 6, stored  # 3 per transport: only one budget for all refuses 3


def _answer_type(sender: websocket.WebSocket) -> str:
    while True:
        frame = json.loads(sender.recv())
        if frame["type"] in ("message.sent", "error"):
            return frame["type"]
