"""GET /insights/{name}/chart.svg | chart.png | chart.json, drawn from stored results."""

from __future__ import annotations

import subprocess
import sys

import pytest

from functions.insights.serve import KNOWN_INSIGHTS
from shared.records import Insight, utcnow
from tests.functions.helpers import error
from workflows.analytics.charts import CHARTS
from workflows.analytics.insights import INSIGHTS

# the community is computed by Spark once per run (its first user waits for that)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_the_known_insights_are_what_the_job_computes_and_charts():
    assert KNOWN_INSIGHTS == tuple(INSIGHTS) == tuple(CHARTS)


@pytest.mark.parametrize("name", KNOWN_INSIGHTS)
def test_every_insight_is_served_and_charted(community_api, community, name):
    operator = community_api.operator()
    served = community_api.get(f"/insights/{name}", who=operator)
    assert served.status_code == 200 and served.get_json()["result"]["items"]

    spec = community_api.get(f"/insights/{name}/chart.json", who=operator).get_json()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["title"]["text"] == name.replace("_", " ")
    values = next(iter(spec["datasets"].values())) if "datasets" in spec else spec["data"]["values"]
    assert values == community.content.get_insight(name).result["items"]

    svg = community_api.get(f"/insights/{name}/chart.svg", who=operator)
    assert svg.status_code == 200 and svg.content_type == "image/svg+xml"
    assert svg.data.lstrip().startswith(b"<svg")
    png = community_api.get(f"/insights/{name}/chart.png", who=operator)
    assert png.status_code == 200 and png.content_type == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n") and len(png.data) > 1000


def test_an_unknown_name_is_404_naming_the_known_ones(api):
    operator = api.operator()
    for path in ("/insights/top_postz", "/insights/top_postz/chart.svg"):
        body = error(api.get(path, who=operator), 404, "name")
        assert "top_posts" in body["message"] and "device_log_levels" in body["message"]


def test_a_chart_not_yet_computed_is_404_saying_so(api):
    body = error(api.get("/insights/retention_cohorts/chart.png", who=api.operator()), 404, "name")
    assert "not been computed yet" in body["message"]


def test_an_empty_result_still_draws(api, services):
    services.content.put_insight(Insight("device_log_levels", utcnow(), {"items": []}))
    svg = api.get("/insights/device_log_levels/chart.svg", who=api.operator())
    assert svg.status_code == 200 and b"nothing in the window" in svg.data


def test_charts_are_for_operators_only(api, services):
    services.content.put_insight(Insight("trends", utcnow(), {"items": []}))
    for suffix in ("svg", "png", "json"):
        error(api.get(f"/insights/trends/chart.{suffix}", who=api.person("Someone")), 403)
        error(api.get(f"/insights/trends/chart.{suffix}"), 401)


def test_the_gateway_loads_without_spark_or_altair():
    """Every function module is imported by the gateway; none may pull in the analytics
    extra, so a server without it (or without Java) keeps serving."""
    code = (
        "import sys; from functions.registry import load; import triggers.http; load(); "
        "print(sorted(m for m in ('pyspark', 'altair', 'vl_convert', 'pyarrow') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
