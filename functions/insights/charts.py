"""GET /insights/{name}/chart.svg, chart.png and chart.json: each insight drawn, for
operators. Drawn from the stored result on each call; altair and vl-convert are loaded
on the first chart asked for, so the gateway starts without them."""

from __future__ import annotations

from functions.http import Request, Response
from functions.insights.serve import stored_insight
from functions.registry import app
from functions.visibility import require_operator
from shared.context import Context
from shared.errors import NotFound, Unavailable

INSTALL = "pip install 'townsquare[analytics]'"


@app.route("GET", "/insights/{name}/chart.svg", summary="The chart of an insight, as SVG")
def insight_chart_svg(req: Request, ctx: Context) -> Response:
    return _picture(req, ctx, "svg")


@app.route("GET", "/insights/{name}/chart.png", summary="The chart of an insight, as PNG")
def insight_chart_png(req: Request, ctx: Context) -> Response:
    return _picture(req, ctx, "png")


@app.route("GET", "/insights/{name}/chart.json", summary="The Vega-Lite spec of an insight's chart")
def insight_chart_spec(req: Request, ctx: Context) -> dict:
    return _spec(req, ctx)


def _picture(req: Request, ctx: Context, fmt: str) -> Response:
    chart = _spec(req, ctx)
    from workflows.analytics.charts import FORMATS, render

    return Response(raw=render(chart, fmt), content_type=FORMATS[fmt])


def _spec(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    insight = stored_insight(req.params["name"], ctx)
    try:
        from workflows.analytics.charts import ChartUnknown, spec

        return spec(insight)
    except ImportError as exc:
        raise Unavailable(f"charts need altair and vl-convert: {INSTALL} ({exc})") from exc
    except ChartUnknown:
        raise NotFound(f"insight {insight.name!r} has no chart", field="name") from None
