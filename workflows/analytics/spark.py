"""The one SparkSession of a process, and the frames of an export.

`session(settings)` builds the session on first use and hands the same one to every
later call (starting a JVM takes seconds): master `settings.spark_master()` —
local[*] embedded, spark://host:port for a standalone cluster — with the driver's
memory capped by `settings.analytics_driver_memory`. Spark's web UI is off and every
time is UTC. When pyspark or Java is missing, `AnalyticsUnavailable` says exactly
what to install.
"""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path

from shared.settings import Settings

from .datasets import DATASETS

INSTALL_SPARK = "pip install 'townsquare[analytics]'  (pyspark, pyarrow, pandas, altair)"
INSTALL_JAVA = "apt-get install openjdk-17-jre-headless  (Spark needs Java 17 or later)"
EXECUTOR_MEMORY = "512m"  # per executor on a standalone cluster: the stack's worker has 1 GiB

_lock = threading.Lock()
_session = None
_master = None


class AnalyticsUnavailable(RuntimeError):
    """Spark cannot run here; the message says what to install."""


def check_requirements() -> None:
    """AnalyticsUnavailable naming what to install when pyspark, pyarrow or Java is missing."""
    missing = []
    for module in ("pyspark", "pyarrow"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise AnalyticsUnavailable(f"{' and '.join(missing)} not installed: {INSTALL_SPARK}")
    if not _java_home_java() and shutil.which("java") is None:
        raise AnalyticsUnavailable(f"no java on PATH (nor in JAVA_HOME): {INSTALL_JAVA}")


def _java_home_java() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return bool(home) and Path(home, "bin", "java").exists()


def session(settings: Settings):
    """The process's SparkSession, built on the first call; a call naming another master
    stops it and builds one for that master."""
    global _session, _master
    with _lock:
        if _session is not None and _master != settings.spark_master():
            _session.stop()
            _session = None
        if _session is None:
            check_requirements()
            _session, _master = _build(settings), settings.spark_master()
        return _session


def _build(settings: Settings):
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("townsquare-analytics")
        .master(settings.spark_master())
        .config("spark.driver.memory", settings.analytics_driver_memory)
        .config("spark.executor.memory", EXECUTOR_MEMORY)
        .config("spark.cores.max", "1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM would not start: Java missing or broken
        raise AnalyticsUnavailable(f"Spark could not start ({exc}); {INSTALL_JAVA}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def stop() -> None:
    """Stop the process's session (the next session() starts a new one)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def frames(spark, root: Path) -> dict:
    """{dataset name: DataFrame} of the export under `root`; an empty frame (same columns)
    for a dataset with no rows yet."""
    found = {}
    for name, dataset in DATASETS.items():
        folder = root / name
        if any(folder.glob("day=*/*.parquet")):
            found[name] = spark.read.schema(dataset.spark_ddl()).parquet(str(folder))
        else:
            found[name] = spark.createDataFrame([], dataset.spark_ddl())
    return found
