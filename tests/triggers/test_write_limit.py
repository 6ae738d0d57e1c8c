"""One write budget per user across every transport: HTTP, WebSocket and MQTT sends all
draw on it, and past it each transport refuses in its own way (429, an error frame, a
dead letter naming rate_limited)."""

from __future__ import annotations

import json

from shared.ports.bus import DEAD_LETTER
from tests.buslog import BusLog
from tests.triggers.test_chat_path import dead_letters


def test_http_websocket_and_mqtt_share_one_write_budget(running):
    running.services.settings.write_rate_per_minute = 6
    ada, bob = running.person("Ada"), running.person("Bob")
    socket, bob_socket = running.socket(ada), running.socket(bob)
    publisher = running.mqtt()
    topic = f"townsquare/chat/user/{bob['uuid']}"
    log = BusLog(running.services, DEAD_LETTER)

    def over_http(text):
        body = {"to_user": bob["uuid"], "text": text}
        return running.call("POST", "/messages", ada["token"], json=body)

    def over_ws(text):
        socket.send({"type": "message.send", "data": {"to_user": bob["uuid"], "text": text}})

    def over_mqtt(text):
        payload = json.dumps({"token": ada["token"], "text": text})
        publisher.publish(topic, payload, qos=1).wait_for_publish(5)

    for i in range(2):
        assert over_http(f"http {i}").status_code == 201
        over_ws(f"ws {i}")
        assert socket.next("message.sent")["data"]["text"] == f"ws {i}"
        over_mqtt(f"mqtt {i}")
    delivered = {bob_socket.next()["data"]["text"] for _ in range(6)}
    assert len(delivered) == 6

    over_mqtt("one too many")
    letters = running.wait_for(lambda: dead_letters(log, topic))
    assert "rate_limited" in letters[0]["reason"]
    over_ws("one too many")
    assert socket.next("error")["data"]["code"] == "rate_limited"
    refused = over_http("one too many")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert [f for f in bob_socket.drain(0.5) if f["type"] == "message.created"] == []
    log.close()
