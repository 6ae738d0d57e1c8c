"""GET /insights/anomalies?since=: the detector's flags, oldest first (operators).

A static route beside /insights/{name}: the router matches the static path first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from functions.anomalies.detector import FLAGS
from functions.http import Request
from functions.registry import app
from functions.visibility import require_operator
from shared.context import Context

DEFAULT_SINCE = timedelta(hours=24)


class AnomalyQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    since: datetime | None = None
    limit: int = Field(default=100, ge=1, le=1000)


@app.route(
    "GET",
    "/insights/anomalies",
    query=AnomalyQuery,
    summary="What the live anomaly detector flagged since a time, oldest first (operators)",
)
def list_anomalies(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    query: AnomalyQuery = req.query
    since = query.since or ctx.clock() - DEFAULT_SINCE
    since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    return {"items": ctx.live.timeline(FLAGS, since=since, limit=query.limit)}
