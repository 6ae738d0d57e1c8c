"""Private instances of the stack's servers (stack/private.py) never share a port or a file
with the shared stack: every port moves, the URL names the moved port, and the home, log
and pid file live under the private folder. No server is started here."""

from __future__ import annotations

from stack.paths import stack_dir
from stack.private import PrivateStack, private
from stack.servers import Cassandra, Kafka, Mosquitto, Postgres, Redis


def test_every_port_moves_and_every_file_is_private(tmp_path):
    for cls in (Postgres, Redis, Mosquitto, Kafka, Cassandra):  # the ones the battery breaks
        server = private(cls, tmp_path, 300)
        ports = {a: getattr(cls, a) for a in dir(cls) if a == "port" or a.endswith("_port")}
        assert ports, cls.name
        for attr, shared in ports.items():
            assert getattr(server, attr) == shared + 300, (cls.name, attr)
        assert f":{cls.port + 300}" in server.url and f":{cls.port}" not in server.url
        for path in (server.home, server.log_path, server.pid_path):
            assert path.is_relative_to(tmp_path) and not path.is_relative_to(stack_dir())
        assert cls.port == ports["port"]  # the shared class is untouched


def test_auxiliary_ports_and_overrides(tmp_path):
    kafka = private(Kafka, tmp_path, 7)
    assert (kafka.port, kafka.controller_port) == (Kafka.port + 7, Kafka.controller_port + 7)
    cassandra = private(Cassandra, tmp_path, 7, heap="-Xmx512m", durable=True)
    assert cassandra.storage_port == Cassandra.storage_port + 7
    assert "-Xmx512m" in cassandra.heap and cassandra.durable and not Cassandra.durable
    cassandra.prepare()
    config = (cassandra.home / "conf" / "cassandra.yaml").read_text()
    assert f"storage_port: {Cassandra.storage_port + 7}" in config
    assert f"native_transport_port: {Cassandra.port + 7}" in config
    assert "commitlog_sync: batch" in config


def test_a_private_stack_names_its_servers_urls(tmp_path):
    stack = PrivateStack(tmp_path, 300, [Postgres, Kafka])
    assert stack.urls() == {
        "accounts_url": Postgres.url.replace(str(Postgres.port), str(Postgres.port + 300)),
        "bus_url": Kafka.url.replace(str(Kafka.port), str(Kafka.port + 300)),
    }
