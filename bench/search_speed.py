"""Benchmark: search indexing throughput and query latency, each beside the raw engine.

Indexing: the relevance corpus (tests/relevance/corpus.json, copied --copies times with
fresh uuids) through the Search port one document at a time — what the indexing function
does on each event — beside the engine's raw bulk API on the same documents (OpenSearch
`_bulk` via opensearch-py's helpers; FTS5: one executemany in one transaction).

Queries: every judged query of the relevance suite, --rounds times, through the port's
`query()` beside the very same request sent raw (OpenSearch: the same body to `_search`;
FTS5: the same SQL and MATCH expression on the same connection).

    .venv/bin/python bench/search_speed.py                   # FTS5
    .venv/bin/python bench/search_speed.py --backends real   # OpenSearch of `townsquare stack up`

Loopback only; bounded by --copies and --rounds; indices it creates are deleted.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import replace
from functools import partial
from pathlib import Path

from bench.harness import PROJECT, Stopwatch, row, standalone
from shared.backends import open_port
from tests.relevance.test_relevance import TOKEN, corpus

ROOT = Path(__file__).parents[1]


def documents(copies: int) -> list:
    return [replace(doc, uuid=str(uuid.uuid4())) for _ in range(copies) for doc in corpus()]


def queries() -> list[tuple[str, str]]:
    judged = json.loads((ROOT / "tests/relevance/judgements.json").read_text()).values()
    return [(j["query"], j["type"]) for j in judged]


def opensearch_raw(search, docs: list, rounds: int, clocks: dict) -> tuple[float, list[float]]:
    from opensearchpy import helpers

    from shared.adapters.search.elastic import MAPPINGS, SETTINGS, doc_id, document, search_body

    client, index = search.client, search.index_name + "-raw"
    client.indices.create(index=index, body={"settings": SETTINGS, "mappings": MAPPINGS})
    try:
        actions = [
            {"_index": index, "_id": doc_id(d.type, d.uuid), "_source": document(d)} for d in docs
        ]
        seconds = clocks["raw index"](lambda: helpers.bulk(client, actions, refresh="wait_for"))
        latencies = []
        for _ in range(rounds):
            for text, kind in queries():
                body = search_body(text, [kind], [TOKEN], 10)
                latencies.append(
                    clocks["raw query"](lambda body=body: client.search(index=index, body=body))
                )
        return seconds, latencies
    finally:
        client.indices.delete(index=index)


def fts5_raw(search, docs: list, rounds: int, clocks: dict) -> tuple[float, list[float]]:
    from shared.adapters.search.fts5 import Fts5Search, match_expression
    from shared.adapters.search.terms import extra_terms

    raw = Fts5Search(search.path + "-raw")
    rows = [
        (i, d.title, d.text, extra_terms(d.title), extra_terms(d.text)) for i, d in enumerate(docs)
    ]

    def bulk() -> None:
        with raw._sql.transaction() as db:
            db.executemany(
                "INSERT INTO search_docs (id, type, uuid, created_at) VALUES (?, ?, ?, '')",
                [(i, d.type, d.uuid) for i, d in enumerate(docs)],
            )
            db.executemany("INSERT INTO search_words (rowid, title, text, title_extra, text_extra)"
                           " VALUES (?, ?, ?, ?, ?)", rows)  # fmt: skip
            db.executemany(
                "INSERT INTO search_visibility (token, doc_id) VALUES (?, ?)",
                [(TOKEN, i) for i in range(len(docs))],
            )

    seconds = clocks["raw index"](bulk)
    latencies = []
    for _ in range(rounds):
        for text, kind in queries():
            sql, params = raw._select(match_expression(text) or '""', [kind], [TOKEN], 10)
            with raw._sql.transaction() as db:
                latencies.append(
                    clocks["raw query"](
                        lambda sql=sql, params=params: db.execute(sql, params).fetchall()
                    )
                )
    raw.close()
    return seconds, latencies


def run(args) -> dict:
    copies = getattr(args, "copies", 1)
    rounds = getattr(args, "rounds", 1 if args.quick else 5)
    refresh_mode = getattr(args, "search_refresh", "wait_for")
    docs = documents(copies)[: 40 if args.quick else None]
    with tempfile.TemporaryDirectory() as folder:
        if args.backends == "real":
            from stack import URLS

            base = URLS["search"].split("?")[0].rstrip("/")
            refresh = "?refresh=false" if refresh_mode == "false" else ""
            search = open_port("search", f"{base}/bench-speed-{uuid.uuid4().hex[:8]}{refresh}")
        else:
            search = open_port("search", f"sqlite:///{folder}/search.db")
        try:
            clocks = {k: Stopwatch() for k in ("index", "query", "raw index", "raw query")}
            ours = clocks["index"](lambda: [search.index(doc) for doc in docs])
            latencies = []
            for _ in range(rounds):
                for text, kind in queries():
                    call = partial(search.query, text, types=[kind], visible_to=[TOKEN], limit=10)
                    latencies.append(clocks["query"](call))
            raw_seconds, raw_latencies = (
                opensearch_raw(search, docs, rounds, clocks) if args.backends == "real"
                else fts5_raw(search, docs, rounds, clocks)
            )  # fmt: skip
        finally:
            if args.backends == "real":
                search.client.indices.delete(index=search.index_name)
            search.close()
    n = len(docs)
    engine = "OpenSearch" if args.backends == "real" else "FTS5"
    indexing = f"indexing {n} documents"
    # CPU: this process, which is the whole engine only for FTS5
    cpu = {k: None if args.backends == "real" else c.cpu for k, c in clocks.items()}
    return {
        "title": f"search ({engine}{', ?refresh=false' if refresh_mode == 'false' else ''}):"
        " indexing and queries beside the raw engine",
        "unit": "document indexed / query answered",
        "rows": [
            row(indexing, PROJECT, None, ours, cpu["index"], n, how="port index(), one by one"),
            row(indexing, "raw bulk API", None, raw_seconds, cpu["raw index"], n),
            row("judged queries", PROJECT, latencies, sum(latencies), cpu["query"]),
            row(
                "judged queries",
                "same request, raw",
                raw_latencies,
                sum(raw_latencies),
                cpu["raw query"],
            ),  # fmt: skip
        ],
    }


def main() -> None:
    standalone(
        "bench.search_speed", ("--copies", 1), ("--rounds", 5), ("--search-refresh", "wait_for")
    )


if __name__ == "__main__":
    main()
