"""`townsquare mqtt bridge`, the command knative/mqtt.yaml's Deployment runs: started as that
exact command line on the embedded broker, it runs a device's MQTT publish through its
function, and stops cleanly on SIGTERM (what Kubernetes sends)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import yaml

from shared.context import bootstrap
from shared.settings import Settings
from triggers.mqtt.accounts import AccountBook
from triggers.mqtt.broker import EmbeddedBroker
from triggers.mqtt.policy import FUNCTIONS

ROOT = Path(__file__).parents[2]
TOWNSQUARE = Path(sys.executable).with_name("townsquare")


def deployed_command() -> list[str]:
    bridge = list(yaml.safe_load_all((ROOT / "knative" / "mqtt.yaml").read_text()))[1]
    container = bridge["spec"]["template"]["spec"]["containers"][0]
    return container["command"] + container["args"]


def test_the_deployed_bridge_command_runs_a_device_publish(tmp_path):
    book = AccountBook(tmp_path / "accounts.json")
    functions_secret = book.add(FUNCTIONS, "functions", in_memory=True)
    device_secret = book.add("d-7", "device", in_memory=True)
    broker = EmbeddedBroker(book, port=0)
    broker.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env["TOWNSQUARE_DATA_DIR"] = str(tmp_path / "data")
    env["TOWNSQUARE_MQTT_URL"] = f"mqtt://{FUNCTIONS}:{functions_secret}@127.0.0.1:{broker.port}"
    command = deployed_command()
    assert command[0] == "townsquare"
    bridge = subprocess.Popen(
        [str(TOWNSQUARE), *command[1:]],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="d-7")
    try:
        ready = bridge.stderr.readline()
        assert "subscribed" in ready, ready
        publisher.username_pw_set("d-7", device_secret)
        publisher.connect("127.0.0.1", broker.port)
        publisher.loop_start()
        line = {"level": "error", "message": "disk full"}
        publisher.publish("townsquare/devices/d-7/logs", json.dumps(line), qos=1).wait_for_publish(
            10
        )
        content = bootstrap(Settings(data_dir=tmp_path / "data", _env_file=None)).content
        deadline = time.monotonic() + 20
        while not (logs := content.device_logs("d-7", since=None, limit=10)):
            assert time.monotonic() < deadline, "the bridge stored nothing"
            time.sleep(0.2)
        assert [(log["level"], log["message"]) for log in logs] == [("error", "disk full")]
        bridge.send_signal(signal.SIGTERM)
        assert bridge.wait(timeout=20) == 0
        assert functions_secret not in bridge.stderr.read()  # the broker URL is never logged
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        if bridge.poll() is None:
            bridge.kill()
            bridge.wait()
        broker.stop()
