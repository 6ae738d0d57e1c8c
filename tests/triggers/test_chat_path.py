"""The chat path end to end, with real clients: MQTT publisher (paho), WebSocket clients
(websocket-client), HTTP (requests) against a running `townsquare dev`."""

from __future__ import annotations

import json
import uuid

from shared.ports.bus import DEAD_LETTER
from tests.buslog import BusLog


def dead_letters(log: BusLog, key: str) -> list[dict]:
    """The dead letters, since `log` was made, of what came under `key` (an MQTT topic)."""
    return [event.data for event in log.events("townsquare.dead_letter", key)]


def test_mqtt_message_reaches_every_members_socket_and_history(running):
    ada, bob, cy = running.person("Ada"), running.person("Bob"), running.person("Cy")
    group = running.group(ada, bob, cy)
    sockets = [running.socket(p) for p in (ada, bob, cy)]
    publisher = running.mqtt()
    payload = {"token": bob["token"], "text": "over mqtt", "client_id": "m-1"}
    publisher.publish(
        f"townsquare/chat/group/{group}", json.dumps(payload), qos=1
    ).wait_for_publish(5)
    received = [s.next()["data"] for s in sockets]
    assert {m["text"] for m in received} == {"over mqtt"}
    assert {m["sender_uuid"] for m in received} == {bob["uuid"]}
    history = running.call("GET", f"/messages?group={group}", cy["token"]).json()["items"]
    assert [m["uuid"] for m in history] == [received[0]["uuid"]]
    publisher.loop_stop()


def test_same_client_id_over_mqtt_and_http_stores_one_message(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    socket = running.socket(bob)
    publisher = running.mqtt()
    payload = {"token": ada["token"], "text": "once", "client_id": "dup-1"}
    for _ in range(3):
        publisher.publish(
            f"townsquare/chat/user/{bob['uuid']}", json.dumps(payload), qos=1
        ).wait_for_publish(5)
    again = running.call(
        "POST",
        "/messages",
        ada["token"],
        json={"to_user": bob["uuid"], "text": "once", "client_id": "dup-1"},
    )
    first = socket.next()["data"]
    assert again.json()["message"]["uuid"] == first["uuid"]
    assert [f for f in socket.drain(0.5) if f["type"] == "message.created"] == []
    history = running.call("GET", f"/messages?with_user={ada['uuid']}", bob["token"]).json()[
        "items"
    ]
    assert len(history) == 1


def test_poison_mqtt_messages_are_dead_lettered_and_do_not_stall(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    socket = running.socket(bob)
    publisher = running.mqtt()
    topic = f"townsquare/chat/user/{bob['uuid']}"
    log = BusLog(running.services, DEAD_LETTER)
    for poison in (
        b"not json",
        json.dumps({"token": "wrong", "text": "x"}),
        json.dumps({"text": "no token"}),
        json.dumps({"token": ada["token"], "text": ""}),
    ):
        publisher.publish(topic, poison, qos=1).wait_for_publish(5)
    publisher.publish(
        topic, json.dumps({"token": ada["token"], "text": "still flowing"}), qos=1
    ).wait_for_publish(5)
    assert socket.next()["data"]["text"] == "still flowing"
    letters = running.wait_for(
        lambda: len(dead_letters(log, topic)) >= 4 and dead_letters(log, topic)
    )
    reasons = " | ".join(letter["reason"] for letter in letters)
    assert "JSON" in reasons and "unauthorized" in reasons and "token" in reasons
    assert all(ada["token"] not in json.dumps(letter) for letter in letters)
    log.close()


def test_device_logs_are_stored_by_device_and_time(running):
    device = f"sensor-{uuid.uuid4().hex[:8]}"  # the log store may be shared
    publisher = running.mqtt("device", device)
    for i in range(3):
        body = {
            "level": "info",
            "message": f"boot {i}",
            "ts": f"2026-01-01T00:00:0{i}Z",
            "fw": "1.2",
        }
        publisher.publish(
            f"townsquare/devices/{device}/logs", json.dumps(body), qos=1
        ).wait_for_publish(5)
    logs = running.wait_for(
        lambda: (
            len(running.services.content.device_logs(device, since=None, limit=10)) == 3
            and running.services.content.device_logs(device, since=None, limit=10)
        )
    )
    assert {log["message"] for log in logs} == {"boot 0", "boot 1", "boot 2"}


def test_websocket_send_and_push(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    ada_socket, bob_socket = running.socket(ada), running.socket(bob)
    ada_socket.send({"type": "message.send", "data": {"to_user": bob["uuid"], "text": "hi via ws"}})
    assert ada_socket.next("message.sent")["data"]["text"] == "hi via ws"
    assert bob_socket.next()["data"]["text"] == "hi via ws"
    ada_socket.send({"type": "message.send", "data": {"to_user": "nobody", "text": "x"}})
    assert ada_socket.next("error")["data"]["field"] == "to_user"


def test_dropped_socket_resumes_with_since_and_misses_nothing(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    socket = running.socket(bob)

    def send(text):
        return running.call(
            "POST", "/messages", ada["token"], json={"to_user": bob["uuid"], "text": text}
        )

    send("one")
    first = socket.next()["data"]
    socket.close()
    for text in ("two", "three"):
        send(text)
    resumed = running.socket(bob, since=first["uuid"])
    texts = [resumed.next()["data"]["text"], resumed.next()["data"]["text"]]
    send("four")
    texts.append(resumed.next()["data"]["text"])
    assert texts == ["two", "three", "four"]
    assert [f for f in resumed.drain(0.5) if f["type"] == "message.created"] == []


def test_group_messages_follow_membership_on_open_sockets_and_in_replay(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    group = running.group(ada)
    bob_socket = running.socket(bob)

    def post(text):
        answer = running.call(
            "POST", "/messages", ada["token"], json={"to_group": group, "text": text}
        )
        assert answer.status_code == 201, answer.json()
        return answer.json()["message"]

    added = running.call(
        "POST", f"/groups/{group}/members", ada["token"], json={"user_uuid": bob["uuid"]}
    )
    assert added.status_code == 201
    assert bob_socket.next("group.joined")["data"] == {"group": group}
    first = post("bob is in")
    assert bob_socket.next()["data"]["uuid"] == first["uuid"]
    removed = running.call("DELETE", f"/groups/{group}/members/{bob['uuid']}", ada["token"])
    assert removed.status_code == 204
    assert bob_socket.next("group.left")["data"] == {"group": group}
    post("bob is out")
    assert [f for f in bob_socket.drain(0.5) if f["type"] == "message.created"] == []
    resumed = running.socket(bob, since=first["uuid"])
    assert [f for f in resumed.drain(0.5) if f["type"] == "message.created"] == []


def test_stream_needs_a_token_and_an_allowed_origin(running):
    import pytest
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as missing:
        websocket.create_connection(f"{running.ws_base}/stream", timeout=5)
    assert missing.value.status_code == 401
    running.emulator.settings.allowed_origins = "https://app.example.org"
    ada = running.person("Ada")
    with pytest.raises(websocket.WebSocketBadStatusException) as foreign:
        websocket.create_connection(
            f"{running.ws_base}/stream?token={ada['token']}",
            timeout=5,
            origin="https://evil.example.com",
        )
    assert foreign.value.status_code == 403
    ok = websocket.create_connection(
        f"{running.ws_base}/stream?token={ada['token']}",
        timeout=5,
        origin="https://app.example.org",
    )
    ok.close()


def test_logout_closes_the_stream_within_a_second(running):
    import time

    import websocket

    ada = running.person("Ada")
    socket = running.socket(ada)
    started = time.monotonic()
    assert running.call("POST", "/auth/logout", ada["token"]).status_code == 204
    socket.ws.settimeout(2)
    try:
        while True:
            frame = socket.ws.recv()
            if frame in ("", None):
                break
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        pass
    assert time.monotonic() - started < 1.5


def test_a_password_change_closes_every_stream_of_the_account(running):
    import time

    import websocket

    ada = running.person("Ada")
    phone = running.call(
        "POST", "/auth/login", json={"email": ada["email"], "password": "long enough pw"}
    ).json()["token"]
    sockets = [running.socket(ada), running.socket({"token": phone})]
    changed = running.call(
        "POST",
        "/auth/password",
        ada["token"],
        json={"current_password": "long enough pw", "new_password": "a brand new horse battery"},
    )
    assert changed.status_code == 200
    started = time.monotonic()
    for socket in sockets:
        socket.ws.settimeout(3)
        try:
            while socket.ws.recv():
                pass
        except websocket.WebSocketConnectionClosedException:
            pass
    assert time.monotonic() - started < 1.5
