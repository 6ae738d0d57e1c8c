"""GET /insights (the known names and when each was last computed) and GET /insights/{name}."""

from __future__ import annotations

from functions.http import Request
from functions.registry import app
from functions.visibility import require_operator
from shared.context import Context
from shared.errors import NotFound
from shared.records import iso

# What the analytics workflows compute (DESIGN.md, "Analytics"); a name not listed
# here can still be read by GET /insights/{name} once something stores it.
KNOWN_INSIGHTS = (
    "active_users",
    "messages_per_group_per_hour",
    "top_posts",
    "trends",
    "anomalies",
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
    name = req.params["name"]
    insight = ctx.content.get_insight(name)
    if insight is None:
        raise NotFound(
            f"insight {name!r} has not been computed yet; the analytics job writes it", field="name"
        )
    return insight.as_json()
