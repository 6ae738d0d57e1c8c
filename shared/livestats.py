"""The names and time buckets of the live analytics series, shared by the triggers that
count invocations and the functions that count and judge domain events.

A series is `<family>` or `<family>:<entity>` ("messages.account:<user uuid>"); its
counters are per epoch minute in the live store (Live.count) and live KEEP_COUNTS seconds.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from shared.errors import TownsquareError
from shared.ports import Live

log = logging.getLogger("townsquare.livestats")

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


class Tally:
    """Counts and latency samples gathered in this process and written to the live store
    together (Live.add_stats, one round trip) at most FLUSH_SECONDS later, instead of a
    few writes per invocation: the invocation path only adds to a dict. A flusher thread,
    started with the first addition, writes what gathered; a reader that wants this
    process's latest calls counted (GET /admin/services) flushes first. A live store
    that is down loses what was gathered then, as it lost single samples before."""

    FLUSH_SECONDS = 1.0

    def __init__(self, live: Callable[[], Live]) -> None:
        self._live = live
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, int]] = Counter()
        self._samples: defaultdict[str, list[float]] = defaultdict(list)
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, counts: Iterable[str], minute: int, samples: Mapping[str, float]) -> None:
        """One more on each series of `counts` for `minute`, and a value for each window."""
        with self._lock:
            for name in counts:
                self._counts[(name, minute)] += 1
            for name, value in samples.items():
                self._samples[name].append(value)
            if self._flusher is None:
                self._flusher = threading.Thread(
                    target=self._flush_while_open, name="livestats-flush", daemon=True
                )
                self._flusher.start()

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            samples, self._samples = self._samples, defaultdict(list)
        if counts or samples:
            try:
                self._live().add_stats(counts, samples, keep=KEEP_COUNTS, window=LATENCY_WINDOW)
            except TownsquareError as exc:
                log.debug("the live store did not take %d counts: %s", len(counts), exc)

    def _flush_while_open(self) -> None:
        while not self._stop.wait(self.FLUSH_SECONDS):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush()
