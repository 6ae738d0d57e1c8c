"""Benchmark: graph writes and people-you-may-know, each beside the same work done raw.

Builds a random follow graph (--people people, --follows follows each) in two ways, timed:
through the Graph port one edge at a time (`follow`, what the event function does per
event) and in bulk (`add_edges`), beside raw `UNWIND` batches of the same Cypher run with
the neo4j driver directly (or executemany on the same SQLite table, embedded). Then times
`suggest_people` for --queries people through the port, beside the same Cypher (or SQL)
run directly. Every node it writes carries this run's prefix and is deleted afterwards.

    .venv/bin/python bench/graph_speed.py                   # SQLite
    .venv/bin/python bench/graph_speed.py --backends real   # Neo4j of `townsquare stack up`

Loopback only; bounded by --people, --follows and --queries.
"""

from __future__ import annotations

import random
import tempfile
import uuid

from bench.harness import PROJECT, Stopwatch, row, standalone
from shared.backends import open_port


def edges(people: list[str], follows: int, rng: random.Random) -> list[tuple[str, str]]:
    return [(p, q) for p in people for q in rng.sample(people, follows) if q != p]


def raw_neo4j(graph):
    from shared.adapters.graph.neo4j import ADD, PEOPLE

    def write(pairs):
        with graph.driver.session() as session:
            for start in range(0, len(pairs), 1000):
                chunk = [list(pair) for pair in pairs[start : start + 1000]]
                session.run(ADD["FOLLOWS"], pairs=chunk).consume()

    def suggest(me):
        with graph.driver.session() as session:
            return list(session.run(PEOPLE, me=me, limit=10))

    return write, suggest


def raw_sqlite(graph):
    from shared.adapters.graph.sqlite import PEOPLE

    def write(pairs):
        with graph._sql.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO edges VALUES (?, 'FOLLOWS', ?, 0)", [tuple(p) for p in pairs]
            )

    def suggest(me):
        with graph._sql.transaction() as db:
            return db.execute(PEOPLE, {"me": me, "limit": 10}).fetchall()

    return write, suggest


def cleanup(graph, prefix: str, real: bool) -> None:
    if real:
        with graph.driver.session() as session:
            session.run("MATCH (u:User) WHERE u.uuid STARTS WITH $p DETACH DELETE u", p=prefix)


def run(args) -> dict:
    people = getattr(args, "people", 40 if args.quick else 300)
    follows = getattr(args, "follows", 10)
    queries = getattr(args, "queries", 10 if args.quick else 100)
    rng = random.Random(7)
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    sets = [[f"{prefix}{s}-{i}" for i in range(people)] for s in ("one", "bulk", "raw")]
    one, bulk, raw = (edges(group, follows, rng) for group in sets)
    real = args.backends == "real"
    with tempfile.TemporaryDirectory() as folder:
        if real:
            from stack import URLS

            graph = open_port("graph", URLS["graph"])
        else:
            graph = open_port("graph", f"sqlite:///{folder}/graph.db")
        write_raw, suggest_raw = raw_neo4j(graph) if real else raw_sqlite(graph)
        try:
            clocks = {k: Stopwatch() for k in ("one", "bulk", "raw", "ours", "bare")}
            t_one = clocks["one"](lambda: [graph.follow(a, b) for a, b in one])
            t_bulk = clocks["bulk"](lambda: graph.add_edges("FOLLOWS", bulk))
            t_raw = clocks["raw"](lambda: write_raw(raw))
            asked = rng.sample(sets[1], min(queries, people))
            suggest_raw(asked[0])  # both paths meet a planned, cached query
            ours, bare = [], []
            for me in asked:  # interleaved, so neither side gets the warmer server
                ours.append(clocks["ours"](lambda me=me: graph.suggest_people(me, limit=10)))
                bare.append(clocks["bare"](lambda me=me: suggest_raw(me)))
        finally:
            cleanup(graph, prefix, real)
            graph.close()
    raw_side = "raw UNWIND batches" if real else "raw executemany"
    # CPU: this process, which is the whole engine only on SQLite
    cpu = {k: None if real else clock.cpu for k, clock in clocks.items()}
    return {
        "title": f"graph ({'Neo4j' if real else 'SQLite'}, {people} people × {follows} follows)"
        ": writes and people-you-may-know beside raw queries",
        "unit": "edge written / query answered",
        "rows": [
            row("edges, one by one", PROJECT, None, t_one, cpu["one"], len(one)),
            row("edges, one by one", raw_side, None, t_raw, cpu["raw"], len(raw)),
            row("edges, bulk", PROJECT, None, t_bulk, cpu["bulk"], len(bulk)),
            row("edges, bulk", raw_side, None, t_raw, cpu["raw"], len(raw)),
            row("people you may know", PROJECT, ours, sum(ours), cpu["ours"]),
            row("people you may know", "same query, raw", bare, sum(bare), cpu["bare"]),
        ],
    }


def main() -> None:
    standalone("bench.graph_speed", ("--people", 300), ("--follows", 10), ("--queries", 100))


if __name__ == "__main__":
    main()
