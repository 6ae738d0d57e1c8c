"""A broker restarted mid-stream loses nothing and doubles nothing.

A real Mosquitto with persistence (the production setting): the functions' bridge holds
a persistent session (clean_session=False, QoS 1, manual ack), so what is published for
it while it is away waits in the broker; the publisher keeps its unacknowledged QoS 1
messages and sends them again on reconnect; client_id idempotency absorbs the resends.
"""

from __future__ import annotations

import json
import time

import paho.mqtt.client as mqtt
import pytest

from shared.settings import Settings
from tests.triggers.conftest import Running
from tests.triggers.mosquitto import PrivateMosquitto
from triggers.emulator import Emulator

pytestmark = pytest.mark.real


def test_restarting_the_broker_mid_stream_loses_and_doubles_nothing(tmp_path):
    broker = PrivateMosquitto(
        tmp_path, "allow_anonymous true\npersistence true\nautosave_interval 1\n"
    )
    broker.start()
    emulator = Emulator(
        Settings(data_dir=tmp_path / "data", mqtt_url=broker.url, _env_file=None),
        port=0,
        mqtt_port=0,
    )
    emulator.start()
    running = Running(emulator)
    try:
        ada, bob = running.person("Ada"), running.person("Bob")
        publisher = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id="restart-publisher", clean_session=False
        )
        publisher.reconnect_delay_set(min_delay=0.1, max_delay=1)
        publisher.connect("127.0.0.1", broker.port)
        publisher.loop_start()
        topic = f"townsquare/chat/user/{bob['uuid']}"

        def publish(i: int) -> None:
            payload = {"token": ada["token"], "text": f"m{i}", "client_id": f"restart-{i}"}
            publisher.publish(topic, json.dumps(payload), qos=1)

        for i in range(10):
            publish(i)
        broker.stop()  # mid-stream
        for i in range(10, 20):
            publish(i)  # queued by the publisher while the broker is down
        time.sleep(0.5)
        broker.start()
        for i in range(20, 30):
            publish(i)

        def history() -> list[str]:
            items = running.call(
                "GET", f"/messages?with_user={ada['uuid']}&limit=100", bob["token"]
            ).json()["items"]
            return [m["text"] for m in items]

        running.wait_for(lambda: len(history()) >= 30, timeout=30)
        time.sleep(1)  # let any late redelivery land
        texts = history()
        assert sorted(texts) == sorted(f"m{i}" for i in range(30))
        publisher.loop_stop()
    finally:
        emulator.shutdown()
        broker.stop()
