"""The analytics job on the cron trigger: export the snapshot and recompute every insight.

The workflow (workflows.analytics.run) and Spark are imported when a tick runs, never when
the gateway imports this module: a machine without pyspark or Java serves every route, and
a tick there reports what to install.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from functions.registry import app
from shared.context import Context
from shared.errors import Unavailable

SCHEDULE = "17 * * * *"  # hourly, off the top of the hour


@app.schedule(SCHEDULE)
def compute_insights(event: CloudEvent, ctx: Context) -> dict:
    """Export the snapshot to Parquet and recompute every batch insight with Spark."""
    from workflows.analytics.run import run
    from workflows.analytics.spark import AnalyticsUnavailable

    try:
        report = run(ctx.services)
    except AnalyticsUnavailable as exc:
        raise Unavailable(f"analytics cannot run: {exc}") from exc
    if report.failed:
        ctx.log.error("analytics: insights failed: %s", report.failed)
    return {"stored": report.stored, "failed": report.failed, "seconds": round(report.seconds, 1)}
