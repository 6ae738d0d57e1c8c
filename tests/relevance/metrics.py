"""Ranking quality measures over graded judgements: nDCG@k, reciprocal rank, precision@k.

`ranked` is the engine's answer (ids, best first); `grades` maps the relevant ids to a
grade (3 best, 1 barely); ids not in `grades` are not relevant.
"""

from __future__ import annotations

import math


def dcg(gains: list[int]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades.get(uuid, 0) for uuid in ranked[:k]]) / ideal if ideal else 0.0


def reciprocal_rank(ranked: list[str], grades: dict[str, int]) -> float:
    return next((1 / (rank + 1) for rank, uuid in enumerate(ranked) if uuid in grades), 0.0)


def precision(ranked: list[str], grades: dict[str, int], k: int = 5) -> float:
    """Of the first k places, the share holding something relevant (k counted even when
    fewer are relevant, so a query with 3 relevant docs scores at most 0.6)."""
    return sum(1 for uuid in ranked[:k] if uuid in grades) / k
