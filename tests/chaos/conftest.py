"""The battery's world: private servers for everything a fault breaks, one Townsquare on them.

PostgreSQL, Redis, Kafka, Cassandra and Mosquitto run as private instances of the stack's
own server classes (stack/private.py) on ports moved by TOWNSQUARE_CHAOS_PORT_OFFSET
(default 300) and under their own folder, so killing them never touches the shared stack.
OpenSearch, Neo4j and moto stay the shared ones (no fault hits them). They start once per
session and stop at its end. The Townsquare under test is an in-process Emulator on them;
each fault reuses it, so "back without restarting Townsquare" is what every test checks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from shared.settings import Settings
from stack.private import PrivateStack
from stack.servers import Cassandra, Kafka, Mosquitto, Postgres, Redis
from tests.chaos.report import Report
from tests.chaos.traffic import Traffic
from tests.conftest import RUN, real_overrides
from triggers.emulator import Emulator

OFFSET = int(os.environ.get("TOWNSQUARE_CHAOS_PORT_OFFSET", "300"))
PRIVATE = [Postgres, Redis, Mosquitto, Kafka, Cassandra]

REPORT = Report()


def private_stack(home: Path) -> PrivateStack:
    return PrivateStack(
        home,
        OFFSET,
        PRIVATE,
        # as durable as production: what was acknowledged survives a kill -9 of the process
        redis={"durable": True},
        mosquitto={"durable": True},
        postgres={"durable": True},
        cassandra={"heap": "-Xmx512m", "durable": True},
        kafka={"heap": "-Xmx384m"},
    )


@pytest.fixture(scope="session")
def chaos_stack():
    home = Path(tempfile.mkdtemp(prefix="townsquare-chaos-"))
    home.chmod(0o755)  # PostgreSQL runs as its own user and must reach its folder
    stack = private_stack(home)
    t0 = time.monotonic()
    try:
        stack.start()
        REPORT.costs["private servers start-up"] = time.monotonic() - t0
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def townsquare(chaos_stack, tmp_path_factory):
    """One Townsquare for the whole battery (never restarted by a fault)."""
    overrides = {**real_overrides(), **chaos_stack.urls()}
    overrides["event_group_prefix"] = f"townsquare.chaos-{RUN}.fn."
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("chaos"),
        _env_file=None,
        write_rate_per_minute=100_000,  # R10 checks the budget on a Townsquare of its own
        **overrides,
    )
    emulator = Emulator(settings, host="127.0.0.1", port=0, mqtt_port=0)
    emulator.start()
    yield emulator
    emulator.shutdown()


@pytest.fixture
def traffic(townsquare, chaos_stack):
    mosquitto = chaos_stack["mosquitto"]
    driver = Traffic(townsquare.base_url, "127.0.0.1", mosquitto.port)
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def report():
    t0 = time.monotonic()
    yield REPORT
    REPORT.costs["battery (whole session)"] = time.monotonic() - t0
    path = REPORT.write()
    print("\n" + REPORT.markdown() + f"\n(written to {path})")
