"""The batch insights: each a function of the exported frames and the window's end.

Every result is {"window": {"start", "end"}, "items": [...]}, with items sorted so
that the same export always gives the same result, whatever the master. The window
is the span of the community's activity in the export, so the result depends on the
data only, never on when the job ran. An insight's chart (charts.py) reads its items.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from shared.records import iso

HALF_LIFE_HOURS = 24.0  # a post's engagement counts half after a day, a quarter after two
ENGAGEMENT_WEIGHTS = {"comment_count": 2, "reaction_count": 1, "share_count": 3}
TOP_POSTS = 20
TREND_DAYS = 7  # trending: the last week of the window against the week before
TOP_TERMS = 15
MIN_TERM_LENGTH = 4


def activity(frames: dict):
    """(user_uuid, ts): every act of a user — a post, comment, reaction, share or message."""
    from pyspark.sql import functions as F

    acts = [
        frames["posts"].select(F.col("author_uuid").alias("user_uuid"), F.col("created_at")),
        frames["comments"].select("user_uuid", "created_at"),
        frames["reactions"].select("user_uuid", "created_at"),
        frames["shares"].select("user_uuid", "created_at"),
        frames["messages"].select(F.col("sender_uuid").alias("user_uuid"), "created_at"),
    ]
    union = acts[0]
    for more in acts[1:]:
        union = union.unionByName(more)
    return union.withColumnRenamed("created_at", "ts")


def window(frames: dict) -> tuple[datetime | None, datetime | None]:
    from pyspark.sql import functions as F

    row = activity(frames).agg(F.min("ts").alias("start"), F.max("ts").alias("end")).first()
    return (row["start"], row["end"]) if row else (None, None)


def active_users(frames: dict, end: datetime) -> dict:
    """Distinct active users per day, week and month; `latest` the DAU/WAU/MAU at the end."""
    from pyspark.sql import functions as F

    acts = activity(frames).cache()  # read by four aggregations
    per_period = [
        acts.groupBy(F.lit(period).alias("period"), F.date_trunc(period, "ts").alias("start")).agg(
            F.countDistinct("user_uuid").alias("users")
        )
        for period in ("day", "week", "month")
    ]
    union = per_period[0].unionByName(per_period[1]).unionByName(per_period[2])
    order = F.when(F.col("period") == "day", 0).when(F.col("period") == "week", 1).otherwise(2)
    items = [_plain(row) for row in union.orderBy(order, "start").collect()]
    latest = acts.agg(
        *[
            F.countDistinct(
                F.when(F.col("ts") > F.lit(end - timedelta(days=days)), "user_uuid")
            ).alias(name)
            for name, days in (("dau", 1), ("wau", 7), ("mau", 30))
        ]
    ).first()
    acts.unpersist()
    return {"items": items, "latest": _plain(latest)}


def messages_per_group_per_hour(frames: dict, end: datetime) -> dict:
    from pyspark.sql import functions as F

    groups = frames["groups"].select(
        F.col("uuid").alias("group_uuid"), F.col("name").alias("group")
    )
    counts = (
        frames["messages"]
        .where(F.col("to_group").isNotNull())
        .groupBy(
            F.col("to_group").alias("group_uuid"), F.date_trunc("hour", "created_at").alias("hour")
        )
        .agg(F.count("*").alias("messages"))
        .join(groups, "group_uuid", "left")
        .orderBy("hour", "group_uuid")
    )
    return {"items": [_plain(row) for row in counts.collect()]}


def top_posts(frames: dict, end: datetime) -> dict:
    """Posts by engagement (comments, reactions, shares, weighted) halved every HALF_LIFE_HOURS."""
    from pyspark.sql import functions as F

    engagement = sum(F.col(column) * weight for column, weight in ENGAGEMENT_WEIGHTS.items())
    age_hours = (F.lit(end).cast("long") - F.col("created_at").cast("long")) / 3600.0
    ranked = (
        frames["posts"]
        .withColumn("engagement", engagement)
        .withColumn("age_hours", F.round(F.greatest(age_hours, F.lit(0.0)), 3))
        .withColumn("score", F.round(F.col("engagement") * F.pow(F.lit(0.5), F.col("age_hours") / HALF_LIFE_HOURS), 6))
        .where(F.col("engagement") > 0)
        .orderBy(F.desc("score"), F.desc("engagement"), "uuid")
        .limit(TOP_POSTS)
        .select("uuid", "author_uuid", "scope", "group_uuid", F.substring("text", 1, 80).alias("text"),
                *ENGAGEMENT_WEIGHTS, "engagement", "age_hours", "score", "created_at")
    )  # fmt: skip
    return {"items": [_plain(row) for row in ranked.collect()]}


def trends(frames: dict, end: datetime) -> dict:
    """Hashtags and terms of posts and messages: the last TREND_DAYS against the ones before."""
    from pyspark.ml.feature import StopWordsRemover
    from pyspark.sql import functions as F

    texts = (
        frames["posts"]
        .select("text", "created_at")
        .unionByName(frames["messages"].select("text", "created_at"))
    )
    recent_from = end - timedelta(days=TREND_DAYS)
    texts = texts.where(F.col("created_at") > F.lit(recent_from - timedelta(days=TREND_DAYS)))
    texts = texts.withColumn("recent", F.col("created_at") > F.lit(recent_from))
    stop = [w for w in StopWordsRemover.loadDefaultStopWords("english")]
    hashtags = texts.select(
        "recent", F.explode(F.expr(r"regexp_extract_all(lower(text), '#(\\w+)', 1)")).alias("term")
    ).withColumn("kind", F.lit("hashtag"))
    words = (
        texts.select("recent", F.explode(F.split(F.lower("text"), r"[^\p{L}]+")).alias("term"))
        .where((F.length("term") >= MIN_TERM_LENGTH) & ~F.col("term").isin(stop))
        .withColumn("kind", F.lit("term"))
    )
    counted = (
        hashtags.unionByName(words)
        .groupBy("kind", "term")
        .agg(
            F.sum(F.col("recent").cast("int")).alias("recent"),
            F.sum((~F.col("recent")).cast("int")).alias("before"),
        )
        .where(F.col("recent") > 0)
        .withColumn("score", F.round((F.col("recent") + 1) / (F.col("before") + 1), 6))
    )
    items = []
    for kind in ("hashtag", "term"):
        top = counted.where(F.col("kind") == kind).orderBy(
            F.desc("score"), F.desc("recent"), "term"
        )
        items += [_plain(row) for row in top.limit(TOP_TERMS).collect()]
    return {"items": items}


def retention_cohorts(frames: dict, end: datetime) -> dict:
    """Weekly signup cohorts: of the people who signed up in a week, how many were active
    0, 1, 2… weeks later."""
    from pyspark.sql import functions as F

    users = frames["users"].select(
        F.col("uuid").alias("user_uuid"), F.date_trunc("week", "signup_date").alias("cohort")
    )
    sizes = users.groupBy("cohort").agg(F.count("*").alias("size"))
    active_weeks = (
        activity(frames)
        .select("user_uuid", F.date_trunc("week", "ts").alias("active_week"))
        .distinct()
    )
    retained = (
        users.join(active_weeks, "user_uuid")
        .withColumn("week", F.floor(F.datediff("active_week", "cohort") / 7).cast("int"))
        .where(F.col("week") >= 0)
        .groupBy("cohort", "week")
        .agg(F.count("*").alias("active"))
        .join(sizes, "cohort")
        .withColumn("retention", F.round(F.col("active") / F.col("size"), 6))
        .orderBy("cohort", "week")
    )  # fmt: skip
    return {"items": [_plain(row) for row in retained.collect()]}


def device_log_levels(frames: dict, end: datetime) -> dict:
    from pyspark.sql import functions as F

    counts = (
        frames["device_logs"]
        .groupBy("device_id", F.date_trunc("hour", "ts").alias("hour"), "level")
        .agg(F.count("*").alias("lines"))
        .orderBy("hour", "device_id", "level")
    )
    return {"items": [_plain(row) for row in counts.collect()]}


def _plain(row) -> dict:
    """A Spark Row as JSON values: times as ISO 8601 UTC, dates as ISO dates."""
    found = {}
    for name, value in row.asDict().items():
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, date):
            value = value.isoformat()
        found[name] = value
    return found


INSIGHTS: dict[str, Callable[[dict, datetime], dict]] = {
    "active_users": active_users,
    "messages_per_group_per_hour": messages_per_group_per_hour,
    "top_posts": top_posts,
    "trends": trends,
    "retention_cohorts": retention_cohorts,
    "device_log_levels": device_log_levels,
}
