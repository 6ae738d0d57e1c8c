"""The order of one page of the feed: recency, affinity and engagement.

A page holds the next `limit` posts by time (so `next` stays an honest cursor); inside
it, posts are shown best first:

    score = 2^(−age / HALF_LIFE) × (1 + AFFINITY × ln(1 + affinity)) × (1 + ENGAGEMENT × ln(1 + engagement))

`affinity` is how much the caller interacts with the post's author and group (the
graph's `affinity`: reactions to the author's posts, activity in the group);
`engagement` is the post's reactions, comments and shares. With neither, the order is
newest first; the logarithms keep one busy post or one close friend from owning the page.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from shared.records import parse_time

HALF_LIFE = timedelta(days=1)
AFFINITY = 0.5
ENGAGEMENT = 0.3
AFFINITY_LOOKED_AT = 200  # the people and groups the caller interacts with most


def ranked(items: list[dict], affinity: dict[str, float], now: datetime) -> list[dict]:
    """`items` (feed item JSON) best first, each with its `score`."""
    scored = [{**item, "score": round(_score(item, affinity, now), 6)} for item in items]
    return sorted(scored, key=lambda item: -item["score"])


def _score(item: dict, affinity: dict[str, float], now: datetime) -> float:
    age = max(now - parse_time(item["created_at"]), timedelta(0))
    close = affinity.get(item["author_uuid"], 0.0) + affinity.get(item.get("group_uuid") or "", 0.0)
    busy = item.get("reaction_count", 0) + item.get("comment_count", 0) + item.get("share_count", 0)
    return (
        0.5 ** (age / HALF_LIFE)
        * (1 + AFFINITY * math.log1p(close))
        * (1 + ENGAGEMENT * math.log1p(busy))
    )
