"""The names and time buckets of the live analytics series, shared by the triggers that
count invocations and the functions that count and judge domain events.

A series is `<family>` or `<family>:<entity>` ("messages.account:<user uuid>"); its
counters are per epoch minute in the live store (Live.count) and live KEEP_COUNTS seconds.
"""

from __future__ import annotations

from datetime import datetime

KEEP_COUNTS = 2 * 3600  # seconds a per-minute counter is kept after its last change
LATENCY_WINDOW = 1000  # latency samples kept per function (for p50/p99)


def minute_of(when: datetime) -> int:
    """The epoch minute `when` falls in."""
    return int(when.timestamp() // 60)


def series(family: str, entity: str | None = None) -> str:
    return f"{family}:{entity}" if entity else family


def invocations(function: str) -> str:
    return series("invocations", function)


def errors(function: str) -> str:
    return series("errors", function)


def latency(function: str) -> str:
    return series("latency", function)
