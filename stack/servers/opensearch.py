"""OpenSearch 2.19 from Maven Central jars, HTTP on 127.0.0.1:19200 (transport 127.0.0.1:19300).

The server jar and its runtime closure form the classpath; the ``transport-netty4`` and
``analysis-common`` plugins are laid out as modules under ``<home>/modules/<name>/`` with a
generated ``plugin-descriptor.properties`` (their jars minus those already on the classpath, so
there is no jar hell). Single-node discovery; there is no security plugin at all.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request

from ..install import chown_tree, ensure_user
from ..maven import resolve
from ..paths import HOST
from .jvm import COMMON_FLAGS, JvmServer

VERSION = "2.19.6"
LOG4J = "2.25.4"  # the log4j-api version OpenSearch depends on

MODULES = {
    # name: (artifact, plugin class)
    "transport-netty4": (
        f"org.opensearch.plugin:transport-netty4-client:{VERSION}",
        "org.opensearch.transport.Netty4Plugin",
    ),
    "analysis-common": (
        f"org.opensearch.plugin:analysis-common:{VERSION}",
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
    ),
}

NETTY_POLICY = """grant {
  permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
  permission java.net.SocketPermission "*", "accept,connect";
  permission java.lang.RuntimePermission "*", "setContextClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
  permission java.util.PropertyPermission "sun.nio.ch.bugLevel", "write";
};
"""

LOG4J2 = """status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
logger.deprecation.name = org.opensearch.deprecation
logger.deprecation.level = error
"""


class OpenSearch(JvmServer):
    name = "opensearch"
    port = 19200
    transport_port = 19300
    port_name = "SEARCH"
    url = f"opensearch://{HOST}:{port}"
    release = VERSION
    artifacts = [
        f"org.opensearch:opensearch:{VERSION}",
        f"org.opensearch:opensearch-plugin-classloader:{VERSION}",
        f"org.apache.logging.log4j:log4j-core:{LOG4J}",
        f"org.apache.logging.log4j:log4j-jul:{LOG4J}",
    ]
    heap = "-Xmx768m"
    run_as = "townsquare"  # OpenSearch refuses to run as root
    start_timeout = 180

    def maven_sets(self) -> dict[str, tuple[list[str], list[str]]]:
        sets = super().maven_sets()
        for module, (artifact, _) in MODULES.items():
            sets[f"opensearch-{module}-{VERSION}"] = ([artifact], [])
        return sets

    def install(self) -> None:
        super().install()
        core = {p.name for p in self.lib().glob("*.jar")}
        for module, (artifact, classname) in MODULES.items():
            lib = resolve(f"opensearch-{module}-{VERSION}", [artifact])
            target = self.home / "modules" / module
            marker = target / ".complete"
            if marker.exists() and marker.read_text() == artifact + "\n":
                continue
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for jar in lib.glob("*.jar"):
                if jar.name not in core:
                    shutil.copy2(jar, target / jar.name)
            (target / "plugin-descriptor.properties").write_text(
                f"description={module} module\nversion={VERSION}\nname={module}\n"
                f"classname={classname}\njava.version=11\nopensearch.version={VERSION}\n"
                "extended.plugins=\nhas.native.controller=false\ncustom.foldername=\n"
            )
            if module == "transport-netty4":
                (target / "plugin-security.policy").write_text(NETTY_POLICY)
            marker.write_text(artifact + "\n")

    def prepare(self) -> None:
        conf = self.home / "config"
        conf.mkdir(parents=True, exist_ok=True)
        for sub in ("data", "logs", "plugins", "tmp"):
            (self.home / sub).mkdir(exist_ok=True)
        (conf / "opensearch.yml").write_text(
            "cluster.name: townsquare\nnode.name: townsquare-1\n"
            f"network.host: {HOST}\nhttp.port: {self.port}\ntransport.port: {self.transport_port}\n"
            "discovery.type: single-node\n"
            f"path.data: {self.home / 'data'}\npath.logs: {self.home / 'logs'}\n"
            "bootstrap.memory_lock: false\naction.auto_create_index: true\n"
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
            "indices.query.bool.max_clause_count: 4096\n"
        )
        (conf / "log4j2.properties").write_text(LOG4J2)
        (conf / "jvm.options").write_text(f"-Xms256m\n{self.heap}\n")
        if os.geteuid() == 0:
            ensure_user(self.run_as)
            chown_tree(self.home, self.run_as)

    def command(self) -> list[str]:
        return [
            self.java(), "-Xms256m", self.heap, *COMMON_FLAGS,
            "-Xss1m",
            "-Djna.nosys=true", "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
            "-Dio.netty.recycler.maxCapacityPerThread=0", "-Dlog4j.shutdownHookEnabled=false",
            "-Dlog4j2.disable.jmx=true", "-Dlog4j2.formatMsgNoLookups=true",
            f"-Djava.io.tmpdir={self.home / 'tmp'}",
            "-XX:-OmitStackTraceInFastThrow", "-Dopensearch.networkaddress.cache.ttl=60",
            f"-Dopensearch.path.home={self.home}", f"-Dopensearch.path.conf={self.home / 'config'}",
            "-Dopensearch.distribution.type=tar", "-Dopensearch.bundled_jdk=false",
            *self.cp_args(), "org.opensearch.bootstrap.OpenSearch",
        ]  # fmt: skip

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://{HOST}:{self.port}{path}", timeout=5) as resp:
            return json.loads(resp.read())

    def ready(self) -> bool:
        return "version" in self._get("/")

    def bootstrap(self) -> None:
        """One node holds no replicas: a lowest-order legacy template makes new indices green."""
        body = json.dumps(
            {"index_patterns": ["*"], "order": -1000, "settings": {"number_of_replicas": 0}}
        ).encode()
        req = urllib.request.Request(
            f"http://{HOST}:{self.port}/_template/townsquare-stack-defaults", data=body,
            method="PUT", headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def healthy(self) -> bool:
        health = self._get("/_cluster/health?wait_for_status=yellow&timeout=5s")
        template = self._get("/_template/townsquare-stack-defaults")
        return health.get("status") in ("green", "yellow") and bool(template)

    def version(self) -> str:
        try:
            info = self._get("/")["version"]
            return f"OpenSearch {info['number']}"
        except Exception:
            return f"OpenSearch {VERSION}"
