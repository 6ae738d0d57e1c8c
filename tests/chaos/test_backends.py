"""R1–R4: a backend server dies (or freezes) under steady chat traffic and comes back.

R1 kill -9 Kafka mid-stream and restart it; R2 restart Mosquitto; R3 pause Redis (SIGSTOP)
during fan-out, then kill it and restart it; R4 kill -9 Cassandra, then PostgreSQL,
mid-write, restarting each. The Townsquare under test is never restarted.
"""

from __future__ import annotations

import signal
import time

import pytest

from stack.private import kill
from tests.chaos.faults import assert_passed, run_fault

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup

DOWN = 4.0  # seconds a server stays down


def _kill_and_restart(stack, name: str, sig: int = signal.SIGKILL):
    def inject() -> float:
        kill(stack[name], sig)
        time.sleep(DOWN)
        stack.restart(name)
        return time.monotonic()

    return inject


def test_r1_kafka_killed_mid_stream(traffic, report, chaos_stack):
    row = run_fault(traffic, report, "R1 kill -9 Kafka", _kill_and_restart(chaos_stack, "kafka"))
    assert_passed(row)


def test_r2_mosquitto_restarted(traffic, report, chaos_stack):
    def inject() -> float:
        chaos_stack["mosquitto"].stop()  # SIGTERM: the broker saves its sessions
        time.sleep(DOWN)
        chaos_stack.restart("mosquitto")
        return time.monotonic()

    assert_passed(run_fault(traffic, report, "R2 restart Mosquitto", inject))


def test_r3_redis_paused_then_killed(traffic, report, chaos_stack):
    def inject() -> float:
        redis = chaos_stack["redis"]
        kill(redis, signal.SIGSTOP)
        time.sleep(DOWN)
        kill(redis, signal.SIGKILL)
        time.sleep(1.0)
        chaos_stack.restart("redis")
        return time.monotonic()

    assert_passed(run_fault(traffic, report, "R3 pause, kill Redis", inject))


def test_r4_cassandra_then_postgres_killed_mid_write(traffic, report, chaos_stack):
    def inject() -> float:
        _kill_and_restart(chaos_stack, "cassandra")()
        time.sleep(2.0)
        return _kill_and_restart(chaos_stack, "postgres")()

    assert_passed(run_fault(traffic, report, "R4 kill Cassandra, PostgreSQL", inject))
