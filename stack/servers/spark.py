"""A standalone Spark cluster from the pyspark package's own launcher: one master on
spark://127.0.0.1:17077 (web UI and JSON status on 127.0.0.1:18080) and one worker on
127.0.0.1:17078 (UI 18081) offering 1 core and 1 GiB to executors.

Both run ``<pyspark>/bin/spark-class org.apache.spark.deploy.{master.Master,worker.Worker}``
with SPARK_HOME at the installed pyspark package (its jars), so the cluster is the very
Spark version the driver speaks. The daemons' own heaps are capped (SPARK_DAEMON_MEMORY).
Healthy means the master's JSON says ALIVE, and for the worker that the master lists it
ALIVE. The analytics port's URL (``analytics``) is the master's.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

from ..base import Server
from ..install import ensure_java, pip_install
from ..paths import HOST

MASTER_PORT, MASTER_UI = 17077, 18080
WORKER_PORT, WORKER_UI = 17078, 18081
DAEMON_MEMORY = "256m"
WORKER_MEMORY = "1g"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def master_status() -> dict:
    with urllib.request.urlopen(f"http://{HOST}:{MASTER_UI}/json/", timeout=3) as response:
        return json.load(response)


class SparkServer(Server):
    start_timeout = 120
    daemon_class = ""

    def install(self) -> None:
        ensure_java()
        pip_install("pyspark", "pyspark>=3.5")

    def spawn_kwargs(self) -> dict:
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_DAEMON_MEMORY=DAEMON_MEMORY,
            SPARK_LOCAL_IP=HOST,
            SPARK_LOG_DIR=str(self.home / "logs"),
            SPARK_WORKER_DIR=str(self.home / "work"),
            SPARK_LOCAL_DIRS=str(self.home / "tmp"),
        )
        return {**self.user_kwargs(), "env": env}

    def prepare(self) -> None:
        for sub in ("logs", "work", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)

    def launcher(self) -> list[str]:
        return [str(spark_home() / "bin" / "spark-class"), self.daemon_class]

    def version(self) -> str:
        try:
            import pyspark

            return f"Spark {pyspark.__version__} (pyspark)"
        except ImportError:
            return "Spark (pyspark not installed)"


class SparkMaster(SparkServer):
    name = "spark-master"
    port = MASTER_PORT
    port_name = "ANALYTICS"
    url = f"spark://{HOST}:{MASTER_PORT}"
    daemon_class = "org.apache.spark.deploy.master.Master"

    def command(self) -> list[str]:
        return [*self.launcher(), "--host", HOST, "--port", str(self.port),
                "--webui-port", str(MASTER_UI)]  # fmt: skip

    def healthy(self) -> bool:
        return master_status().get("status") == "ALIVE"


class SparkWorker(SparkServer):
    name = "spark-worker"
    port = WORKER_PORT
    port_name = ""  # backs no port of its own: it works for the master
    daemon_class = "org.apache.spark.deploy.worker.Worker"

    def command(self) -> list[str]:
        return [*self.launcher(), "--host", HOST, "--port", str(self.port),
                "--webui-port", str(WORKER_UI), "--cores", "1", "--memory", WORKER_MEMORY,
                SparkMaster.url]  # fmt: skip

    def healthy(self) -> bool:
        workers = master_status().get("workers", [])
        return any(w.get("port") == self.port and w.get("state") == "ALIVE" for w in workers)
