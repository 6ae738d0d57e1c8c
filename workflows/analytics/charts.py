"""A chart of each insight, drawn offline from its stored result: Vega-Lite by altair,
rendered to SVG or PNG by vl-convert (no browser, no network).

`spec(insight)` is the Vega-Lite JSON a web client can draw itself; `render(spec, fmt)`
the bytes of the picture. Names without a chart here have none (ChartUnknown).
"""

from __future__ import annotations

from collections.abc import Callable

from shared.records import Insight, iso

WIDTH = 640
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
HOURS = {"labelAngle": -45, "format": "%d %b %H:00"}


class ChartUnknown(KeyError):
    pass


def spec(insight: Insight) -> dict:
    import altair as alt

    draw = CHARTS.get(insight.name)
    if draw is None:
        raise ChartUnknown(insight.name)
    items = insight.result.get("items", [])
    window = insight.result.get("window") or {}
    subtitle = (
        f"{window.get('start') or '—'} to {window.get('end') or '—'}; "
        f"computed {iso(insight.computed_at)}" + ("" if items else "; nothing in the window")
    )
    chart = draw(alt, alt.Data(values=items))
    title = alt.TitleParams(insight.name.replace("_", " "), subtitle=subtitle, anchor="start")
    return chart.properties(title=title).to_dict()


def render(chart: dict, fmt: str) -> bytes:
    import vl_convert

    if fmt == "svg":
        return vl_convert.vegalite_to_svg(chart).encode()
    return vl_convert.vegalite_to_png(chart, scale=1)


def _active_users(alt, data):
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("start:T", title="period starting"),
            y=alt.Y("users:Q", title="active users"),
            color=alt.Color("period:N", sort=["day", "week", "month"]),
        )
        .properties(width=WIDTH)
    )


def _messages_per_group_per_hour(alt, data):
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("utcyearmonthdatehours(hour):O", title="hour (UTC)", axis=HOURS),
            y=alt.Y("group:N", title="group"),
            color=alt.Color("messages:Q", title="messages"),
            tooltip=["group:N", "hour:T", "messages:Q"],
        )
    )


def _top_posts(alt, data):
    # one bar per post, labelled by rank: two posts may well say the same thing
    return (
        alt.Chart(data)
        .transform_window(rank="row_number()", sort=[alt.SortField("score", order="descending")])
        .transform_calculate(label="datum.rank + '. ' + datum.text")
        .mark_bar()
        .encode(
            x=alt.X("score:Q", title="engagement, decayed by age"),
            y=alt.Y("label:N", sort=alt.EncodingSortField("rank"), title=None),
            tooltip=[
                "text:N",
                "comment_count:Q",
                "reaction_count:Q",
                "share_count:Q",
                "age_hours:Q",
                "score:Q",
            ],
        )  # fmt: skip
        .properties(width=WIDTH)
    )


def _trends(alt, data):
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("score:Q", title="recent week against the week before"),
            y=alt.Y("term:N", sort="-x", title=None),
            color=alt.Color("kind:N"),
            tooltip=["kind:N", "term:N", "recent:Q", "before:Q", "score:Q"],
        )
        .properties(width=WIDTH)
    )


def _retention_cohorts(alt, data):
    base = alt.Chart(data).encode(
        x=alt.X("week:O", title="weeks after signing up"),
        y=alt.Y("utcyearmonthdate(cohort):O", title="signup week"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("retention:Q", scale=alt.Scale(domain=[0, 1])),
        tooltip=["cohort:T", "week:O", "size:Q", "active:Q", "retention:Q"],
    )
    labels = base.mark_text().encode(text=alt.Text("retention:Q", format=".0%"))
    return (cells + labels).properties(width=WIDTH // 2)


def _device_log_levels(alt, data):
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonthdatehours(hour):O", title="hour (UTC)", axis=HOURS),
            y=alt.Y("sum(lines):Q", title="log lines"),
            color=alt.Color("level:N", sort=["debug", "info", "warning", "error", "critical"]),
            row=alt.Row("device_id:N", title="device"),
        )
    )


CHARTS: dict[str, Callable] = {
    "active_users": _active_users,
    "messages_per_group_per_hour": _messages_per_group_per_hour,
    "top_posts": _top_posts,
    "trends": _trends,
    "retention_cohorts": _retention_cohorts,
    "device_log_levels": _device_log_levels,
}
