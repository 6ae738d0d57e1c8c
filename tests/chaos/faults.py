"""Running one fault under traffic, the same way for every fault: warm up, inject, measure
the recovery, let everything settle, verify, add the row, and check what "pass" means."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tests.chaos.report import Report, Row
from tests.chaos.traffic import PASSWORD, Traffic

WARMUP = 3.0
AFTER = 4.0
SETTLE = 45.0


class LogWatch(logging.Handler):
    """Every log line written while a fault runs, to look for secrets in them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.lines.append(str(record.msg))


def secrets_of(traffic: Traffic) -> list[str]:
    people = [traffic.by_http, traffic.by_ws, traffic.by_mqtt, *traffic.listeners]
    return [PASSWORD, *(p["token"] for p in people)]


def leaks_in(texts: list[str], secrets: list[str]) -> list[str]:
    return [text[:160] for text in texts if any(secret in text for secret in secrets)]


def run_fault(
    traffic: Traffic,
    report: Report,
    fault: str,
    inject: Callable[[], float],
) -> Row:
    """`inject` breaks something and mends it, returning the monotonic time it was back."""
    row = report.add(Row(fault))
    watch = LogWatch()
    root = logging.getLogger()
    root.addHandler(watch)
    try:
        traffic.start()
        time.sleep(WARMUP)
        began = time.monotonic()
        back = inject()
        row.recover_s = traffic.first_ack_after(back)
        time.sleep(AFTER)
        traffic.finish()
        settle(traffic)
        time.sleep(AFTER)  # pushes still on their way reach the listeners
        traffic.verify(row, window=(began, back + (row.recover_s or 0)))
    finally:
        root.removeHandler(watch)
    leaks = leaks_in(watch.lines, secrets_of(traffic))
    row.leaks += len(leaks)
    row.notes += [f"secret in a log line: {line}" for line in leaks[:2]]
    if row.recover_s is None:
        row.notes.append("no send was acknowledged within 60 s of the server's return")
    row.back = healthy_again(traffic)
    if not row.back:
        row.notes.append("health still not 200 30 s after the fault")
    return row


def healthy_again(traffic: Traffic, timeout: float = 30.0) -> bool:
    """The same Townsquare (never restarted) reports every backend ok again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if traffic.api.call("GET", "/health").status_code == 200:
            return True
        time.sleep(0.5)
    return False


def settle(traffic: Traffic, timeout: float = SETTLE) -> None:
    """Wait until every acknowledged chat message is in the history (or `timeout`)."""
    deadline = time.monotonic() + timeout
    acked = {s.client_id for s in traffic.tally.sends if s.acked_at is not None}
    while time.monotonic() < deadline:
        try:
            stored = {m["client_id"] for m in traffic.stored()}
        except AssertionError:
            stored = set()
        if acked <= stored:
            return
        time.sleep(1.0)


def assert_passed(row: Row) -> None:
    assert row.recover_s is not None, row
    assert row.passed, f"{row.fault}: {row.cells()} {row.notes}"
