"""Neo4j 5.26 community from Maven Central jars, Bolt on 127.0.0.1:17687, HTTP on 127.0.0.1:17474.

Started with the community entry point class (``org.neo4j.server.CommunityEntryPoint``) on a
generated ``neo4j.conf``; authentication is off for the test stack.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import HOST
from .jvm import COMMON_FLAGS, JvmServer

VERSION = "5.26.30"

JDK17_FLAGS = [
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
]


class Neo4j(JvmServer):
    name = "neo4j"
    port = 17687
    http_port = 17474
    port_name = "GRAPH"
    url = f"bolt://{HOST}:{port}"
    release = VERSION
    artifacts = [f"org.neo4j:neo4j:{VERSION}", f"org.neo4j:neo4j-bolt:{VERSION}"]
    heap = "-Xmx512m"
    start_timeout = 180

    def prepare(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        for sub in ("data", "logs", "plugins", "import", "run", "licenses"):
            (self.home / sub).mkdir(exist_ok=True)
        (conf / "neo4j.conf").write_text(
            f"server.default_listen_address={HOST}\n"
            f"server.default_advertised_address={HOST}\n"
            f"server.bolt.enabled=true\nserver.bolt.listen_address={HOST}:{self.port}\n"
            f"server.bolt.advertised_address={HOST}:{self.port}\n"
            f"server.http.advertised_address={HOST}:{self.http_port}\n"
            f"server.http.enabled=true\nserver.http.listen_address={HOST}:{self.http_port}\n"
            "server.https.enabled=false\n"
            "dbms.security.auth_enabled=false\n"
            f"server.directories.data={self.home / 'data'}\n"
            f"server.directories.logs={self.home / 'logs'}\n"
            f"server.directories.plugins={self.home / 'plugins'}\n"
            f"server.directories.import={self.home / 'import'}\n"
            f"server.directories.run={self.home / 'run'}\n"
            f"server.directories.licenses={self.home / 'licenses'}\n"
            "server.memory.pagecache.size=64m\n"
            "db.memory.transaction.total.max=256m\n"
            "dbms.usage_report.enabled=false\n"
            "server.logs.gc.enabled=false\n"
            "server.config.strict_validation.enabled=false\n"
        )

    def extra_logs(self) -> list[Path]:
        return [self.home / "logs" / "neo4j.log", self.home / "logs" / "debug.log"]

    def command(self) -> list[str]:
        return [
            self.java(), "-Xms128m", self.heap, *COMMON_FLAGS, *JDK17_FLAGS,
            *self.cp_args(), "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
        ]  # fmt: skip

    def _driver(self):
        from neo4j import GraphDatabase

        return GraphDatabase.driver(
            self.url, auth=None, connection_timeout=3, max_connection_pool_size=1
        )

    def healthy(self) -> bool:
        with self._driver() as driver, driver.session() as session:
            return session.run("RETURN 1 AS ok").single()["ok"] == 1

    ready = healthy

    def version(self) -> str:
        try:
            with self._driver() as driver, driver.session() as session:
                rec = session.run("CALL dbms.components() YIELD name, versions, edition").single()
                return f"Neo4j {rec['versions'][0]} {rec['edition']}"
        except Exception:
            return f"Neo4j {VERSION} community"
