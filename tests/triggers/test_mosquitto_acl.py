"""The production Mosquitto ACL, enforced by a real Mosquitto (the stack installs it):
started here on a free loopback port with the shipped ACL file and a password file."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from tests.triggers.mosquitto import PrivateMosquitto

ACL = Path(__file__).parents[2] / "triggers" / "mqtt" / "mosquitto" / "townsquare.acl"
ACCOUNTS = {
    "townsquare-functions": "f-secret",
    "townsquare-chat": "c-secret",
    "sensor-1": "s-secret",
}
pytestmark = pytest.mark.real


@pytest.fixture
def broker(tmp_path):
    assert shutil.which("mosquitto_passwd"), "`townsquare stack up` installs mosquitto"
    passwd = tmp_path / "passwd"
    passwd.touch()
    for user, password in ACCOUNTS.items():
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True)
    passwd.chmod(0o600)
    mosquitto = PrivateMosquitto(
        tmp_path,
        f"allow_anonymous false\npassword_file {passwd}\nacl_file {ACL}\npersistence false\n",
    )
    mosquitto.start()
    yield mosquitto.port
    mosquitto.stop()


def client(port: int, user: str | None) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    if user:
        c.username_pw_set(user, ACCOUNTS[user])
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def test_devices_write_only_their_own_topic_and_chat_apps_only_chat(broker):
    received: list[str] = []
    functions = client(broker, "townsquare-functions")
    functions.on_message = lambda c, u, m: received.append(m.topic)
    functions.subscribe("townsquare/#", qos=1)
    time.sleep(0.3)
    device, chat = client(broker, "sensor-1"), client(broker, "townsquare-chat")
    for sender, topic in [
        (device, "townsquare/devices/sensor-1/logs"),
        (device, "townsquare/devices/sensor-2/logs"),
        (device, "townsquare/chat/user/x"),
        (chat, "townsquare/chat/group/g"),
        (chat, "townsquare/devices/sensor-1/logs"),
    ]:
        sender.publish(topic, b"{}", qos=1).wait_for_publish(5)
    time.sleep(0.5)
    assert sorted(received) == ["townsquare/chat/group/g", "townsquare/devices/sensor-1/logs"]


def test_anonymous_clients_are_refused(broker):
    anonymous = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    refused = []
    anonymous.on_connect = lambda c, u, f, reason, p: refused.append(reason.is_failure)
    anonymous.connect("127.0.0.1", broker)
    anonymous.loop_start()
    time.sleep(0.5)
    anonymous.loop_stop()
    assert refused == [True]
