"""One analytics run: export the snapshot, compute the insights with Spark, store them.

Each insight is computed whole (collected to the driver) before it is stored, and
stored in one write (content.put_insight), so a reader sees the previous complete
result or the new complete one, never half of one. A failing insight is retried
(tenacity) and then reported, and the others still run. Results depend only on the
export (the window is the data's own span), so a run killed midway and run again
stores exactly what one clean run would.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt, wait_fixed

from shared.context import Services
from shared.records import Insight, iso, utcnow

from .export import ExportReport, export
from .insights import INSIGHTS, window
from .spark import AnalyticsUnavailable, check_requirements, frames, session

log = logging.getLogger("townsquare.analytics")
ATTEMPTS = 3
RETRY_WAIT = 1.0  # seconds between attempts


class UnknownInsight(ValueError):
    pass


@dataclass
class RunReport:
    export: ExportReport | None = None
    stored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def known_names(names: list[str] | None) -> list[str]:
    """The insights to compute: all of them, or those named (UnknownInsight naming the known)."""
    if not names:
        return list(INSIGHTS)
    unknown = [name for name in names if name not in INSIGHTS]
    if unknown:
        raise UnknownInsight(
            f"no insight named {', '.join(unknown)}; the known ones: {', '.join(INSIGHTS)}"
        )
    return list(names)


def run(
    services: Services, names: list[str] | None = None, *, progress=None, wait: float = RETRY_WAIT
) -> RunReport:
    """Export, then compute and store each insight named (default: every one)."""
    started = time.monotonic()
    names = known_names(names)
    check_requirements()
    settings = services.settings
    report = RunReport(export=export(services, settings.export_path(), progress=progress))
    exported = frames(session(settings), settings.export_path())
    start, end = window(exported)
    span = {"start": iso(start), "end": iso(end)}
    task = progress.add_task("insights", total=len(names)) if progress else None
    for name in names:
        try:
            result = _compute(name, exported, end or report.export.as_of, wait)
        except AnalyticsUnavailable:
            raise
        except Exception as exc:  # reported, and the other insights still run
            report.failed[name] = f"{type(exc).__name__}: {exc}"
            log.error("insight %s failed after %d attempts: %s", name, ATTEMPTS, exc)
        else:
            services.content.put_insight(Insight(name, utcnow(), {"window": span} | result))
            report.stored.append(name)
        if progress:
            progress.advance(task)
    report.seconds = time.monotonic() - started
    return report


def _compute(name: str, exported: dict, end, wait: float) -> dict:
    retrying = Retrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_fixed(wait),
        retry=retry_if_not_exception_type(AnalyticsUnavailable),
        reraise=True,
        before_sleep=lambda state: log.warning(
            "insight %s failed (attempt %d), retrying: %s",
            name, state.attempt_number, state.outcome.exception(),
        ),
    )  # fmt: skip
    return retrying(INSIGHTS[name], exported, end)
