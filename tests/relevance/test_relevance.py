"""The relevance suite: the shipped corpus indexed on each search engine, every judged query
run, nDCG@10 / MRR / P@5 printed per language and engine, and each held to its floor.

FLOORS were set from the first honest measurement (see README, "Search relevance") and
are only ever raised. The real engine gets an index of its own per run, deleted after.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from statistics import mean

import pytest

from shared.backends import open_port
from shared.records import SearchDoc
from tests.contract.conftest import EMBEDDED
from tests.relevance.metrics import ndcg, precision, reciprocal_rank

HERE = Path(__file__).parent
TOKEN = "relevance"
MEASURES = ("nDCG@10", "MRR", "P@5")

# engine -> language -> the floor of (nDCG@10, MRR, P@5); every language must be named
FLOORS: dict[str, dict[str, tuple[float, float, float]]] = {
    "fts5": {
        "accents": (0.97, 1.00, 0.47), "ar": (0.93, 1.00, 0.42), "de": (0.86, 1.00, 0.42),
        "en": (0.84, 0.97, 0.48), "ja": (0.98, 1.00, 0.41), "tags": (0.91, 1.00, 0.45),
        "zh": (0.98, 1.00, 0.44),
    },
    "opensearch": {
        "accents": (0.95, 1.00, 0.47), "ar": (0.96, 1.00, 0.42), "de": (0.86, 1.00, 0.42),
        "en": (0.82, 0.97, 0.46), "ja": (0.98, 1.00, 0.41), "tags": (0.91, 1.00, 0.45),
        "zh": (0.98, 1.00, 0.44),
    },
}  # fmt: skip


def corpus() -> list[SearchDoc]:
    raw = json.loads((HERE / "corpus.json").read_text())
    return [
        SearchDoc(
            d["type"],
            d["id"],
            d["title"],
            d["text"],
            (TOKEN,),
            datetime.fromisoformat(d["created_at"]),
        )  # fmt: skip
        for d in raw
    ]


def judgements() -> list[dict]:
    return list(json.loads((HERE / "judgements.json").read_text()).values())


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("fts5", id="fts5"),
        pytest.param("opensearch", id="opensearch", marks=pytest.mark.real),
    ],
)
def engine(request, tmp_path_factory):
    if request.param == "fts5":
        url = EMBEDDED["search"].format(tmp=tmp_path_factory.mktemp("relevance"))
    else:
        from stack import URLS

        base = URLS["search"].split("?")[0].rstrip("/")
        url = f"{base}/relevance-{uuid.uuid4().hex[:12]}?refresh=true"  # no wait per write
    search = open_port("search", url)
    for doc in corpus():
        search.index(doc)
    yield request.param, search
    if request.param != "fts5":
        search.client.indices.delete(index=search.index_name)
    search.close()


def measure(search) -> dict[str, list[tuple[float, float, float]]]:
    by_language = defaultdict(list)
    for judged in judgements():
        hits = search.query(judged["query"], types=[judged["type"]], visible_to=[TOKEN], limit=10)
        ranked = [hit.uuid for hit in hits]
        grades = judged["grades"]
        scores = (ndcg(ranked, grades), reciprocal_rank(ranked, grades), precision(ranked, grades))
        by_language[judged["lang"]].append(scores)
    return by_language


def table(name: str, by_language: dict) -> dict[str, tuple[float, ...]]:
    averages = {
        lang: tuple(mean(s[i] for s in scores) for i in range(3))
        for lang, scores in sorted(by_language.items())
    }
    lines = [f"\nrelevance on {name}:", f"  {'language':10} {'queries':>7} " + " ".join(
        f"{m:>8}" for m in MEASURES)]  # fmt: skip
    for lang, values in averages.items():
        row = " ".join(f"{v:8.3f}" for v in values)
        lines.append(f"  {lang:10} {len(by_language[lang]):7d} {row}")
    print("\n".join(lines))
    return averages


def test_relevance_meets_its_floors(engine, capsys):
    name, search = engine
    averages = measure(search)
    with capsys.disabled():
        scores = table(name, averages)
    floors = FLOORS[name]
    below = [
        f"{lang} {measure_name} {value:.3f} < {floor:.3f}"
        for lang, values in scores.items()
        for measure_name, value, floor in zip(MEASURES, values, floors[lang], strict=True)
        if value < floor
    ]
    assert not below, "below the floor: " + "; ".join(below)
