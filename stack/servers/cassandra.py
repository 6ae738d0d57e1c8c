"""Cassandra 5.0 from Maven Central jars, CQL on 127.0.0.1:19042 (storage port 17000).

Runs ``org.apache.cassandra.service.CassandraDaemon`` in the foreground on Java 17 with the
``--add-exports``/``--add-opens`` list of Cassandra's own ``conf/jvm17-server.options``, a
generated ``cassandra.yaml`` and ``logback.xml``, all data under the stack dir. Once CQL answers,
the ``townsquare`` keyspace is created (SimpleStrategy, one replica).
"""

from __future__ import annotations

from ..paths import HOST
from .jvm import JvmServer

VERSION = "5.0.6"
KEYSPACE = "townsquare"

# From conf/jvm17-server.options (JPMS section and netty options).
JDK17_FLAGS = [
    "-Djdk.attach.allowAttachSelf=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
    "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Dio.netty.allocator.maxOrder=11",
]  # fmt: skip

# From conf/jvm-server.options and jvm17-server.options (GC), sized for a small test node.
GC_FLAGS = [
    "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
    "-XX:G1HeapRegionSize=16m", "-XX:G1RSetUpdatingPauseTimePercent=5",
    "-XX:MaxGCPauseMillis=300", "-XX:InitiatingHeapOccupancyPercent=70",
    "-XX:+HeapDumpOnOutOfMemoryError", "-XX:+ExitOnOutOfMemoryError", "-Xss256k",
    "-XX:+UseTLAB",
    "-XX:+ResizeTLAB", "-XX:+PerfDisableSharedMem", "-Djava.net.preferIPv4Stack=true",
    "-Djava.awt.headless=true",
]  # fmt: skip

LOGBACK = """<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT" /></root>
  <logger name="org.apache.cassandra" level="INFO"/>
</configuration>
"""


class Cassandra(JvmServer):
    name = "cassandra"
    port = 19042
    storage_port = 17000
    port_name = "CONTENT"
    url = f"cassandra://{HOST}:{port}/{KEYSPACE}"
    release = VERSION
    artifacts = [f"org.apache.cassandra:cassandra-all:{VERSION}"]
    heap = "-Xmx1g"
    start_timeout = 240
    durable = False  # True: the commit log is synced before a write is acknowledged

    def prepare(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        dirs = {
            k: self.home / "data" / k
            for k in ("data", "commitlog", "saved_caches", "hints", "cdc_raw")
        }
        (self.home / "triggers").mkdir(exist_ok=True)
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        (conf / "logback.xml").write_text(LOGBACK)
        (conf / "cassandra.yaml").write_text(
            f"""cluster_name: townsquare
num_tokens: 1
initial_token: 0
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
role_manager: CassandraRoleManager
data_file_directories:
  - {dirs["data"]}
commitlog_directory: {dirs["commitlog"]}
saved_caches_directory: {dirs["saved_caches"]}
hints_directory: {dirs["hints"]}
cdc_raw_directory: {dirs["cdc_raw"]}
{"commitlog_sync: batch" if self.durable else "commitlog_sync: periodic"}
{"" if self.durable else "commitlog_sync_period: 10000ms"}
commitlog_segment_size: 32MiB
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "{HOST}:{self.storage_port}"
listen_address: {HOST}
rpc_address: {HOST}
storage_port: {self.storage_port}
ssl_storage_port: {self.storage_port + 1}
native_transport_port: {self.port}
start_native_transport: true
endpoint_snitch: SimpleSnitch
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
concurrent_compactors: 1
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
key_cache_size: 16MiB
file_cache_size: 64MiB
disk_access_mode: mmap_index_only
auto_snapshot: false
snapshot_on_duplicate_row_detection: false
user_defined_functions_enabled: false
materialized_views_enabled: true
sasi_indexes_enabled: true
dynamic_snitch: false
"""
        )

    def command(self) -> list[str]:
        lib = self.lib()
        jamm = sorted(lib.glob("jamm-*.jar"))
        agent = [f"-javaagent:{jamm[-1]}"] if jamm else []
        return [
            self.java(), "-Xms256m", self.heap, "-XX:MaxDirectMemorySize=256m", *GC_FLAGS, *JDK17_FLAGS,
            *agent, "-Dcassandra-foreground=yes",
            f"-Dcassandra.config=file://{self.home / 'conf' / 'cassandra.yaml'}",
            f"-Dlogback.configurationFile={self.home / 'conf' / 'logback.xml'}",
            f"-Dcassandra.logdir={self.home / 'logs'}", f"-Dcassandra.storagedir={self.home / 'data'}",
            f"-Dcassandra.triggers_dir={self.home / 'triggers'}",
            "-Dcassandra.skip_wait_for_gossip_to_settle=0", "-Dcassandra.ring_delay_ms=1000",
            "-Dcassandra.superuser_setup_delay_ms=0", "-Dcassandra.join_ring=true",
            *self.cp_args(), "org.apache.cassandra.service.CassandraDaemon",
        ]  # fmt: skip

    def _session(self, keyspace: str | None = None):
        from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
        from cassandra.policies import WhiteListRoundRobinPolicy

        profile = ExecutionProfile(
            load_balancing_policy=WhiteListRoundRobinPolicy([HOST]), request_timeout=10
        )
        cluster = Cluster(
            [HOST], port=self.port, connect_timeout=3, protocol_version=5,
            execution_profiles={EXEC_PROFILE_DEFAULT: profile}, control_connection_timeout=3,
        )  # fmt: skip
        return cluster, cluster.connect(keyspace)

    def ready(self) -> bool:
        cluster, session = self._session()
        try:
            return session.execute("SELECT release_version FROM system.local").one() is not None
        finally:
            cluster.shutdown()

    def bootstrap(self) -> None:
        cluster, session = self._session()
        try:
            session.execute(
                f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
                "{'class': 'SimpleStrategy', 'replication_factor': 1}"
            )
        finally:
            cluster.shutdown()

    def healthy(self) -> bool:
        cluster, session = self._session()
        try:
            rows = session.execute(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = %s",
                [KEYSPACE],
            )
            return rows.one() is not None
        finally:
            cluster.shutdown()

    def version(self) -> str:
        try:
            cluster, session = self._session()
            try:
                row = session.execute("SELECT release_version FROM system.local").one()
                return f"Cassandra {row.release_version}"
            finally:
                cluster.shutdown()
        except Exception:
            return f"Cassandra {VERSION}"
