"""How search hits are ordered for one caller: the engine's relevance, a recency boost,
and a small boost for what comes from the caller's own circle.

    rank = relevance × (1 + RECENCY × 2^(−age / HALF_LIFE)) × (1 + CIRCLE if in the circle)

`relevance` is the engine's score (bm25 or Lucene's) divided by the best score of the
answer, so the boosts weigh the same on every engine. A post is in the circle when its
author is the caller or someone they follow, or it was posted in one of their groups; a
person when the caller follows them; a group when the caller is in it. The boosts are
small on purpose: they order hits of about equal relevance, they do not lift a weak
match over a strong one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from shared.records import SearchHit

RECENCY = 0.3
HALF_LIFE = timedelta(days=14)
CIRCLE = 0.15


def ranked(hits: list[tuple[SearchHit, datetime | None, bool]], now: datetime) -> list[SearchHit]:
    """(hit, when it was made or None, in the caller's circle) → hits, best first,
    each carrying its final rank as `score`."""
    if not hits:
        return []
    best = max(hit.score for hit, _, _ in hits) or 1.0
    scored = []
    for hit, when, in_circle in hits:
        fresh = 0.5 ** (max((now - when) / HALF_LIFE, 0.0)) if when else 0.0
        rank = hit.score / best * (1 + RECENCY * fresh) * (1 + CIRCLE * in_circle)
        scored.append(replace(hit, score=round(rank, 6)))
    return sorted(scored, key=lambda hit: -hit.score)
