"""GET /insights (the known names and when each was last computed) and GET /insights/{name}."""

from __future__ import annotations

from functions.http import Request
from functions.registry import app
from functions.visibility import require_operator
from shared.context import Context
from shared.errors import NotFound
from shared.records import Insight, iso

# What the analytics job computes (workflows/analytics/insights.py, a test keeps the two
# alike); a name not listed here can still be read by GET /insights/{name} once stored.
KNOWN_INSIGHTS = (
    "active_users",
    "messages_per_group_per_hour",
    "top_posts",
    "trends",
    "retention_cohorts",
    "device_log_levels",
)


@app.route(
    "GET", "/insights", summary="The insights operators can read, and when each was computed"
)
def list_insights(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    items = []
    for name in KNOWN_INSIGHTS:
        insight = ctx.content.get_insight(name)
        items.append({"name": name, "computed_at": iso(insight.computed_at) if insight else None})
    return {"items": items}


@app.route("GET", "/insights/{name}", summary="The latest result of one insight (operators)")
def show_insight(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    return stored_insight(req.params["name"], ctx).as_json()


def stored_insight(name: str, ctx: Context) -> Insight:
    """The latest result of `name`; NotFound naming the known insights for a name nothing
    stores, or saying it has not been computed yet."""
    insight = ctx.content.get_insight(name)
    if insight is not None:
        return insight
    if name not in KNOWN_INSIGHTS:
        known = ", ".join(KNOWN_INSIGHTS)
        raise NotFound(f"no insight named {name!r}; the known ones: {known}", field="name")
    raise NotFound(
        f"insight {name!r} has not been computed yet; `townsquare analytics run` (or its "
        "hourly schedule) computes it",
        field="name",
    )
