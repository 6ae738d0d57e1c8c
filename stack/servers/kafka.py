"""Kafka 4 in KRaft mode (one node, broker + controller) from Maven Central jars.

Listens on 127.0.0.1:19092 (controller 127.0.0.1:19093). Storage is formatted with
``kafka.tools.StorageTool`` before the first start; logging goes to stdout (the log file)
through log4j2.
"""

from __future__ import annotations

import base64
import subprocess
import uuid

from ..base import StackError
from ..paths import HOST
from .jvm import COMMON_FLAGS, JvmServer

VERSION = "4.1.1"
LOG4J = "2.24.3"

LOG4J2 = """status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


class Kafka(JvmServer):
    name = "kafka"
    port = 19092
    controller_port = 19093
    port_name = "BUS"
    url = f"kafka://{HOST}:{port}"
    release = VERSION
    artifacts = [
        f"org.apache.kafka:kafka_2.13:{VERSION}",
        f"org.apache.logging.log4j:log4j-core:{LOG4J}",
        f"org.apache.logging.log4j:log4j-slf4j-impl:{LOG4J}",
    ]
    heap = "-Xmx512m"
    start_timeout = 180

    @property
    def props(self):
        return self.home / "server.properties"

    def prepare(self) -> None:
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        (self.home / "log4j2.properties").write_text(LOG4J2)
        self.props.write_text(
            "process.roles=broker,controller\nnode.id=1\n"
            f"controller.quorum.voters=1@{HOST}:{self.controller_port}\n"
            f"listeners=PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{self.controller_port}\n"
            f"advertised.listeners=PLAINTEXT://{HOST}:{self.port}\n"
            "controller.listener.names=CONTROLLER\ninter.broker.listener.name=PLAINTEXT\n"
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
            f"log.dirs={data}\nnum.partitions=1\nnum.network.threads=2\nnum.io.threads=2\n"
            "offsets.topic.replication.factor=1\noffsets.topic.num.partitions=4\n"
            "transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n"
            "share.coordinator.state.topic.replication.factor=1\n"
            "share.coordinator.state.topic.min.isr=1\n"
            "group.initial.rebalance.delay.ms=0\nauto.create.topics.enable=true\n"
            "delete.topic.enable=true\nlog.retention.hours=24\n"
        )
        if (data / "meta.properties").exists():
            return
        cluster_id = "-"
        while cluster_id.startswith("-"):  # the tool would read a leading "-" as an option
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        proc = subprocess.run(
            [self.java(), "-Xmx256m", *self._logging(), "-cp", self.classpath(),
             "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(self.props),
             "--ignore-formatted"],
            capture_output=True, text=True, cwd=str(self.home),
        )  # fmt: skip
        if proc.returncode != 0:
            raise StackError(f"kafka storage format failed:\n{proc.stdout}{proc.stderr}")

    def _logging(self) -> list[str]:
        return [f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}"]

    def command(self) -> list[str]:
        return [
            self.java(), "-Xms128m", self.heap, *COMMON_FLAGS, "-XX:MaxGCPauseMillis=20",
            *self._logging(), f"-Dkafka.logs.dir={self.home / 'logs'}",
            *self.cp_args(), "kafka.Kafka", str(self.props),
        ]  # fmt: skip

    def healthy(self) -> bool:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(
            bootstrap_servers=f"{HOST}:{self.port}", request_timeout_ms=5000, client_id="ts-stack"
        )
        try:
            cluster = admin.describe_cluster()
            return bool(cluster.get("brokers"))
        finally:
            admin.close()

    def ready(self) -> bool:
        """Healthy, and a consumer group finds its coordinator: the first request creates
        `__consumer_offsets`, which a fresh broker answers with COORDINATOR_NOT_AVAILABLE
        until it is up, so the first group of a run would meet that error instead."""
        from kafka import KafkaAdminClient

        if not self.healthy():
            return False
        admin = KafkaAdminClient(
            bootstrap_servers=f"{HOST}:{self.port}", request_timeout_ms=5000, client_id="ts-stack"
        )
        try:
            admin.list_group_offsets("ts-stack-ready")  # raises until the coordinator is up
            return True
        finally:
            admin.close()

    def version(self) -> str:
        return f"Apache Kafka {VERSION} (KRaft)"
