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

import argparse
import random
import statistics
import tempfile
import time
import uuid

from shared.backends import open_port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


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


def line(name: str, values: list[float]) -> str:
    return (f"  {name:<24} p50 {1000 * statistics.median(values):8.2f} ms"
            f"   p99 {1000 * percentile(values, 0.99):8.2f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--follows", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    sets = [[f"{prefix}{s}-{i}" for i in range(args.people)] for s in ("one", "bulk", "raw")]
    one, bulk, raw = (edges(people, args.follows, rng) for people in sets)
    real = args.backends == "real"
    with tempfile.TemporaryDirectory() as folder:
        if real:
            from stack import URLS

            graph = open_port("graph", URLS["graph"])
        else:
            graph = open_port("graph", f"sqlite:///{folder}/graph.db")
        write_raw, suggest_raw = raw_neo4j(graph) if real else raw_sqlite(graph)
        try:
            t_one = timed(lambda: [graph.follow(a, b) for a, b in one])
            t_bulk = timed(lambda: graph.add_edges("FOLLOWS", bulk))
            t_raw = timed(lambda: write_raw(raw))
            asked = rng.sample(sets[1], min(args.queries, args.people))
            suggest_raw(asked[0])  # both paths meet a planned, cached query
            ours, bare = [], []
            for me in asked:  # interleaved, so neither side gets the warmer server
                ours.append(timed(lambda me=me: graph.suggest_people(me, limit=10)))
                bare.append(timed(lambda me=me: suggest_raw(me)))
        finally:
            cleanup(graph, prefix, real)
            graph.close()
    print(f"graph on {args.backends}: {args.people} people x {args.follows} follows")
    for name, seconds, count in (("port follow() one by one", t_one, len(one)),
                                 ("port add_edges() bulk", t_bulk, len(bulk)),
                                 ("raw UNWIND / executemany", t_raw, len(raw))):  # fmt: skip
        print(f"  {name:<26} {count / seconds:10.0f} edges/s")
    print(f"  writes ratio raw/bulk {t_bulk / t_raw:.2f}x   raw/one-by-one {t_one / t_raw:.1f}x")
    print(line("port suggest_people()", ours))
    print(line("same query, raw", bare))
    print(
        f"  ratio p50 {statistics.median(ours) / statistics.median(bare):.2f}x"
        f"   p99 {percentile(ours, 0.99) / percentile(bare, 0.99):.2f}x"
    )


if __name__ == "__main__":
    main()
