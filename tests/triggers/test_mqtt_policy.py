"""The MQTT policy (triggers/mqtt/policy.py), one body of tests over both brokers: the
embedded amqtt broker of `townsquare dev`, and a real Mosquitto (the stack installs it)
run with the production configuration's policy settings and the ACL `townsquare mqtt acl`
renders. Whatever the broker: no anonymous clients; only the functions account reads;
chat apps write chat, devices their own log topic; a client id is its username, so no one
takes over another's session; retained messages are never kept."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from tests.triggers.mosquitto import PrivateMosquitto
from triggers.mqtt.accounts import AccountBook
from triggers.mqtt.broker import EmbeddedBroker
from triggers.mqtt.policy import FUNCTIONS, MAX_PACKET_BYTES, Account, mosquitto_acl

MOSQUITTO = Path(__file__).parents[2] / "triggers" / "mqtt" / "mosquitto"
POLICY_SETTINGS = (
    "allow_anonymous",
    "use_username_as_clientid",
    "retain_available",
    "max_packet_size",
)
ACCOUNTS = [(FUNCTIONS, "functions"), ("chat-app", "chat"), ("sensor-1", "device")]


class Brokers:
    """A broker with the three accounts of ACCOUNTS; `secrets` by username."""

    def __init__(self, port: int, secrets: dict[str, str]) -> None:
        self.port, self.secrets = port, secrets

    def client(self, user: str | None, client_id: str | None = None, **kw) -> mqtt.Client:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or user or "", **kw)
        c.refused = []
        c.on_connect = lambda cl, u, f, reason, p: c.refused.append(reason.is_failure)
        if user:
            c.username_pw_set(user, self.secrets.get(user, "wrong"))
        c.connect("127.0.0.1", self.port)
        c.loop_start()
        deadline = time.monotonic() + 5
        while not c.refused and time.monotonic() < deadline:
            time.sleep(0.02)
        return c

    def listener(self, client_id: str = FUNCTIONS, **kw) -> tuple[mqtt.Client, list]:
        received: list = []
        functions = self.client(FUNCTIONS, client_id, **kw)
        functions.on_message = lambda c, u, m: received.append((m.topic, m.payload, m.retain))
        functions.subscribe("townsquare/#", qos=1)
        time.sleep(0.3)
        return functions, received


def _embedded(tmp_path):
    book = AccountBook()
    secrets = {name: book.add(name, role, in_memory=True) for name, role in ACCOUNTS}
    broker = EmbeddedBroker(book, port=0)
    broker.start()
    return Brokers(broker.port, secrets), broker.stop


def _mosquitto(tmp_path):
    assert shutil.which("mosquitto_passwd"), "`townsquare stack up` installs mosquitto"
    secrets = {name: uuid.uuid4().hex for name, _ in ACCOUNTS}
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    passwd.touch()
    for user, secret in secrets.items():
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, secret], check=True)
    passwd.chmod(0o600)
    acl.write_text(mosquitto_acl([Account(n, r) for n, r in ACCOUNTS]))
    production = (MOSQUITTO / "mosquitto.conf").read_text().splitlines()
    policy = [line for line in production if line.split(" ")[0] in POLICY_SETTINGS]
    assert len(policy) == len(POLICY_SETTINGS), "the production config states every policy setting"
    broker = PrivateMosquitto(
        tmp_path,
        "\n".join(policy) + f"\npassword_file {passwd}\nacl_file {acl}\npersistence false\n",
    )
    broker.start()
    return Brokers(broker.port, secrets), broker.stop


@pytest.fixture(
    params=[
        pytest.param(_embedded, id="embedded"),
        pytest.param(_mosquitto, id="mosquitto", marks=pytest.mark.real),
    ]
)
def brokers(request, tmp_path):
    brokers, stop = request.param(tmp_path)
    yield brokers
    stop()


def test_anonymous_clients_and_wrong_secrets_are_refused(brokers):
    assert brokers.client(None, "anyone").refused == [True]
    assert brokers.client("nobody", "nobody").refused == [True]
    brokers.secrets["chat-app"] = "not-its-secret"
    assert brokers.client("chat-app").refused == [True]


def test_chat_apps_write_chat_devices_their_own_topic_and_only_functions_read(brokers):
    functions, received = brokers.listener()
    device, chat = brokers.client("sensor-1"), brokers.client("chat-app")
    snooped: list = []
    chat.on_message = device.on_message = lambda c, u, m: snooped.append(m.topic)
    chat.subscribe("townsquare/#", qos=1)
    device.subscribe("townsquare/chat/user/+", qos=1)
    time.sleep(0.3)
    for sender, topic in [
        (device, "townsquare/devices/sensor-1/logs"),
        (device, "townsquare/devices/sensor-2/logs"),
        (device, "townsquare/chat/user/x"),
        (chat, "townsquare/chat/group/g"),
        (chat, "townsquare/devices/chat-app/logs"),
        (chat, "townsquare/devices/sensor-1/logs"),
    ]:
        sender.publish(topic, b"{}", qos=1)
    time.sleep(0.8)
    assert sorted(t for t, _, _ in received) == [
        "townsquare/chat/group/g",
        "townsquare/devices/sensor-1/logs",
    ]
    assert snooped == []


def test_no_client_takes_over_the_functions_session(brokers):
    functions, received = brokers.listener()
    intruder = brokers.client("chat-app", client_id=FUNCTIONS)
    time.sleep(0.3)
    brokers.client("sensor-1").publish("townsquare/devices/sensor-1/logs", b"{}", qos=1)
    time.sleep(0.5)
    assert functions.is_connected()
    assert [t for t, _, _ in received] == ["townsquare/devices/sensor-1/logs"]
    intruder.loop_stop()


def test_retained_messages_are_never_kept(brokers):
    chat = brokers.client("chat-app")
    chat.publish("townsquare/chat/group/g", b'{"text": "sticky"}', qos=1, retain=True)
    time.sleep(0.5)
    functions, received = brokers.listener()
    time.sleep(0.5)
    assert [r for r in received if r[2]] == []


def test_packets_above_the_limit_are_refused(brokers):
    functions, received = brokers.listener()
    device = brokers.client("sensor-1")
    device.publish("townsquare/devices/sensor-1/logs", b"x" * (MAX_PACKET_BYTES + 1), qos=1)
    time.sleep(0.5)
    assert received == []


def test_the_committed_acl_is_what_the_policy_renders():
    sample = [Account(FUNCTIONS, "functions"), Account("townsquare-chat", "chat")]
    sample.append(Account("sensor-1", "device"))
    assert (MOSQUITTO / "townsquare.acl").read_text() == mosquitto_acl(sample)


def test_a_plain_url_to_the_tls_port_is_refused(services):
    from functions.registry import load
    from triggers.mqtt import MqttBridge

    with pytest.raises(ValueError, match="mqtts"):
        MqttBridge(services, load(), "mqtt://broker.example:8883")
