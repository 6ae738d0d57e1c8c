"""Hostile JSON on every transport: nesting deeper than Python's recursion limit and
integers longer than CPython converts are bad input (400, an error frame, a dead letter),
never a fault, and never the end of a trigger's thread."""

from __future__ import annotations

import json

import pytest

from shared.errors import Invalid
from shared.events import decode
from shared.jsonin import MAX_DEPTH, load_object
from shared.ports.bus import DEAD_LETTER
from tests.buslog import BusLog
from tests.functions.helpers import error
from tests.triggers.test_chat_path import dead_letters

DEEP = b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
LONG_NUMBER = b'{"text": "hi", "scope": "public", "n": ' + b"7" * 5_000 + b"}"
TOO_DEEP = json.dumps(
    {"text": "hi", "x": json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))}
)


@pytest.mark.parametrize(
    "raw", [DEEP, LONG_NUMBER, TOO_DEEP.encode()], ids=["deep", "long", "depth"]
)
def test_every_parser_calls_it_bad_input(raw):
    with pytest.raises(Invalid):
        load_object(raw)
    with pytest.raises(Invalid):
        decode(raw)


@pytest.mark.parametrize(
    "raw", [DEEP, LONG_NUMBER, TOO_DEEP.encode()], ids=["deep", "long", "depth"]
)
def test_http_answers_400_naming_the_body(api, raw):
    ada = api.person("Ada")
    response = api.post("/posts", who=ada, data=raw, content_type="application/json")
    assert "nested" in error(response, 400, "body")["message"] or raw is LONG_NUMBER


def test_a_poison_mqtt_message_is_dead_lettered_and_the_bridge_lives_on(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    socket = running.socket(bob)
    publisher = running.mqtt()
    topic = f"townsquare/chat/user/{bob['uuid']}"
    log = BusLog(running.services, DEAD_LETTER)
    with_token = b'{"token": "%s", "text": ' % ada["token"].encode() + DEEP[9:]
    for poison in (DEEP, LONG_NUMBER, with_token):
        publisher.publish(topic, poison, qos=1).wait_for_publish(5)
    publisher.publish(
        topic, json.dumps({"token": ada["token"], "text": "still alive"}), qos=1
    ).wait_for_publish(5)
    assert socket.next()["data"]["text"] == "still alive"
    letters = running.wait_for(
        lambda: len(dead_letters(log, topic)) >= 3 and dead_letters(log, topic)
    )
    assert all("payload" in letter["reason"] for letter in letters)
    assert all(ada["token"] not in json.dumps(letter) for letter in letters)
    log.close()


def test_a_poison_websocket_frame_is_an_error_frame_and_the_socket_stays(running):
    ada, bob = running.person("Ada"), running.person("Bob")
    socket, bob_socket = running.socket(ada), running.socket(bob)
    for poison in (DEEP, LONG_NUMBER):
        socket.ws.send(poison.decode())
        assert socket.next("error")["data"]["field"] == "frame"
    socket.send({"type": "message.send", "data": {"to_user": bob["uuid"], "text": "after"}})
    assert bob_socket.next()["data"]["text"] == "after"


def test_a_chunked_upload_over_the_limit_is_413_and_stores_nothing(running):
    from tests.functions.test_media import stored_blobs

    ada = running.person("Ada")
    limit = running.services.settings.max_media_bytes
    before = stored_blobs(running.services)

    def chunks(total):
        for _ in range(total // 1_000_000):
            yield b"x" * 1_000_000
        yield b"x" * (total % 1_000_000)

    headers = {"Content-Type": "image/png"}
    over = running.call("POST", "/media", ada["token"], data=chunks(limit + 1), headers=headers)
    assert over.status_code == 413, over.text
    assert stored_blobs(running.services) == before
    exact = running.call("POST", "/media", ada["token"], data=chunks(limit), headers=headers)
    assert exact.status_code == 201 and exact.json()["media"]["size"] == limit


def test_by_default_only_pages_of_this_server_may_open_a_stream(running):
    import websocket

    ada = running.person("Ada")
    url = f"{running.ws_base}/stream?token={ada['token']}"
    with pytest.raises(websocket.WebSocketBadStatusException) as foreign:
        websocket.create_connection(url, timeout=5, origin="https://evil.example.com")
    assert foreign.value.status_code == 403
    own = running.base.removesuffix("/api/v1")
    websocket.create_connection(url, timeout=5, origin=own).close()
    websocket.create_connection(url, timeout=5, suppress_origin=True).close()  # an app


def test_a_frame_past_the_body_limit_closes_the_socket(running):
    import websocket

    ada, bob = running.person("Ada"), running.person("Bob")
    socket = running.socket(ada)
    socket.ws.send("x" * (running.services.settings.max_body_bytes + 10))
    socket.ws.settimeout(5)
    try:
        while socket.ws.recv():
            pass  # the close frame (1009) reads as an empty message
    except websocket.WebSocketTimeoutException:
        pytest.fail("the socket is still open")
    except websocket.WebSocketException:
        pass  # closed under the client mid-frame
    again, bob_socket = running.socket(ada), running.socket(bob)
    again.send({"type": "message.send", "data": {"to_user": bob["uuid"], "text": "fine"}})
    assert bob_socket.next()["data"]["text"] == "fine"


def test_a_token_in_the_stream_url_never_reaches_the_access_log(running, caplog):
    ada = running.person("Ada")
    from triggers.http.logs import ACCESS_LOGGERS

    with caplog.at_level("INFO"):
        running.socket(ada).close()
        running.call("GET", f"/users/me?token={ada['token']}")

        def lines():
            return [r.getMessage() for r in caplog.records if r.name in ACCESS_LOGGERS]

        running.wait_for(lambda: any("/stream?token=***" in line for line in lines()))
        running.wait_for(lambda: any("/users/me?token=***" in line for line in lines()))
    assert all(ada["token"] not in line for line in lines())
