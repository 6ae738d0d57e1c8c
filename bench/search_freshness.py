"""Benchmark: how soon a write is found by search, beside the engine's own refresh.

Runs Townsquare (`bench.harness.server`: a server process) and, over HTTP, times from the moment each write is
acknowledged (its 201 is back) until GET /search first shows it (polling every --poll ms): the first post after start, then
--count posts, comments and sign-ups; and how soon a post stops showing when its reader
is removed from the private group it was posted in; and how soon a new follow brings
its people-you-may-know suggestion, with its reason. Then, in the same run, the raw
baseline: the engine alone (opensearch-py index without refresh, then _search until it
hits — the refresh interval at work; or an FTS5 insert then select, embedded).

    .venv/bin/python bench/search_freshness.py                  # embedded
    .venv/bin/python bench/search_freshness.py --backends real  # the servers of `townsquare stack up`

Loopback only; bounded by --count; stops by itself.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable

import requests

from bench.harness import PROJECT, row, server, standalone

TIMEOUT = 20.0


def word() -> str:
    return "f" + uuid.uuid4().hex[:12]


class Client:
    def __init__(self, base: str, poll: float) -> None:
        self.base, self.poll = base, poll

    def signup(self, name: str) -> dict:
        email = f"{name.replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.org"
        body = {"email": email, "name": name, "password": "bench password"}
        requests.post(f"{self.base}/auth/signup", json=body).raise_for_status()
        return body

    def person(self, name: str) -> dict:
        body = self.signup(name)
        login = requests.post(f"{self.base}/auth/login", json=body).json()
        return {
            "uuid": login["user"]["uuid"],
            "auth": {"Authorization": f"Bearer {login['token']}"},
        }

    def call(self, method: str, path: str, who: dict, **kw) -> dict:
        answer = requests.request(method, f"{self.base}{path}", headers=who["auth"], **kw)
        answer.raise_for_status()
        return answer.json() if answer.content else {}

    def found(self, who: dict, q: str, type_: str = "posts") -> bool:
        return bool(self.call("GET", "/search", who, params={"q": q, "type": type_})["items"])

    def until(self, check: Callable[[], bool], started: float) -> float:
        return until(check, started, self.poll)


def townsquare_runs(client: Client, count: int) -> dict[str, list[float]]:
    ada, bob = client.person("Ada"), client.person("Bob")
    runs: dict[str, list[float]] = {"first post": [], "post": [], "comment": [], "user": []}
    runs["removed member"] = []
    runs["follow → suggestion"] = []

    def post(text: str) -> str:
        return client.call("POST", "/posts", ada, json={"text": text, "scope": "public"})["post"][
            "uuid"
        ]

    for i in range(count + 1):
        term = word()
        post(f"fresh news {term}")
        started = time.perf_counter()
        runs["first post" if i == 0 else "post"].append(
            client.until(lambda term=term: client.found(bob, term), started)
        )
    target = post("a post to comment on")
    for _ in range(count):
        term = word()
        client.call("POST", f"/posts/{target}/comments", bob, json={"text": f"me too {term}"})
        started = time.perf_counter()
        runs["comment"].append(client.until(lambda term=term: client.found(ada, term), started))
    for _ in range(count):
        term = word()
        client.signup(f"Newcomer {term}")
        started = time.perf_counter()
        runs["user"].append(
            client.until(lambda term=term: client.found(ada, term, "users"), started)
        )
    for _ in range(max(1, count // 5)):
        runs["removed member"].append(removed_member(client, ada))
        runs["follow → suggestion"].append(followed_suggestion(client))
    return runs


def followed_suggestion(client: Client) -> float:
    """Me follows Ada, who follows X: how soon X is suggested to Me, with a reason."""
    me, ada, x = client.person("Me"), client.person("Ada"), client.person("X")
    client.call("PUT", f"/users/{x['uuid']}/follow", ada)

    def suggested() -> bool:
        items = client.call("GET", "/recommendations/people", me)["items"]
        return any(i["uuid"] == x["uuid"] and i["reason_detail"]["via"] for i in items)

    client.call("PUT", f"/users/{ada['uuid']}/follow", me)
    return client.until(suggested, time.perf_counter())


def removed_member(client: Client, admin: dict) -> float:
    reader, term = client.person("Reader"), word()
    group = client.call("POST", "/groups", admin, json={"name": "Private", "is_private": True})
    uuid_ = group["group"]["uuid"]
    client.call("POST", f"/groups/{uuid_}/members", admin, json={"user_uuid": reader["uuid"]})
    body = {"text": f"members only {term}", "scope": "group", "group_uuid": uuid_}
    client.call("POST", "/posts", admin, json=body)
    client.until(lambda: client.found(reader, term), time.perf_counter())
    started = time.perf_counter()
    client.call("DELETE", f"/groups/{uuid_}/members/{reader['uuid']}", admin)
    return client.until(lambda: not client.found(reader, term), started)


def until(check: Callable[[], bool], started: float, poll: float) -> float:
    """Seconds from `started` until `check()` holds (polling every `poll` s)."""
    while not check():
        if time.perf_counter() - started > TIMEOUT:
            raise TimeoutError(f"not within {TIMEOUT} s")
        time.sleep(poll)
    return time.perf_counter() - started


class RawFts5:
    """The embedded engine alone: one FTS5 table, visible at commit."""

    what = "SQLite FTS5 insert then match (no refresh: visible at commit)"

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, text, visibility)")

    def write(self, id_: str, text: str, visibility: list[str]) -> None:
        self.db.execute("DELETE FROM t WHERE id = ?", (id_,))
        self.db.execute("INSERT INTO t VALUES (?, ?, ?)", (id_, text, " ".join(visibility)))

    def found(self, term: str, token: str) -> bool:
        match = f'text:"{term}" AND visibility:"{token}"'
        return self.db.execute("SELECT 1 FROM t WHERE t MATCH ?", (match,)).fetchone() is not None

    def close(self) -> None:
        self.db.close()


class RawOpenSearch:
    """The real engine alone: an index with Townsquare's settings, written without refresh."""

    def __init__(self, url: str) -> None:
        from opensearchpy import OpenSearch

        from shared.adapters.search.elastic import MAPPINGS, SETTINGS

        host = url.split("://", 1)[1].split("/")[0].split("?")[0]
        self.client, self.index = OpenSearch(hosts=[f"http://{host}"]), f"bench-fresh-{word()}"
        self.client.indices.create(
            index=self.index, body={"settings": SETTINGS, "mappings": MAPPINGS}
        )
        self.what = f"OpenSearch index, refresh_interval {SETTINGS['refresh_interval']}"

    def write(self, id_: str, text: str, visibility: list[str]) -> None:
        doc = {"type": "posts", "uuid": id_, "title": "t", "text": text, "visibility": visibility}
        self.client.index(index=self.index, id=id_, body=doc)

    def found(self, term: str, token: str) -> bool:
        query = {
            "bool": {"must": {"match": {"text": term}}, "filter": {"term": {"visibility": token}}}
        }
        return bool(self.client.search(index=self.index, body={"query": query})["hits"]["hits"])

    def close(self) -> None:
        self.client.indices.delete(index=self.index)


def raw_runs(engine, count: int, poll: float) -> dict[str, list[float]]:
    """Townsquare's write cases done on the engine alone: write, then search until it
    shows (or, for a removed reader, until it no longer shows to their token)."""
    runs: dict[str, list[float]] = {}

    def written(case: str, id_: str, text: str, term: str) -> None:
        engine.write(id_, text, ["p"])
        started = time.perf_counter()
        runs.setdefault(case, []).append(until(lambda: engine.found(term, "p"), started, poll))

    for i in range(count + 1):
        term = word()
        written("first post" if i == 0 else "post", term, f"fresh news {term}", term)
    target, text = word(), "a post to comment on"
    for _ in range(count):  # a comment re-indexes its post with one more text
        term = word()
        text += f"\nme too {term}"
        written("comment", target, text, term)
    for _ in range(count):
        term = word()
        written("user", term, f"Newcomer {term}", term)
    for _ in range(max(1, count // 5)):
        term = word()
        engine.write(term, f"members only {term}", ["g"])
        until(lambda term=term: engine.found(term, "g"), time.perf_counter(), poll)
        engine.write(term, f"members only {term}", [])
        started = time.perf_counter()
        gone = until(lambda term=term: not engine.found(term, "g"), started, poll)
        runs.setdefault("removed member", []).append(gone)
    return runs


def raw_suggestions(real: bool, count: int, poll: float) -> list[float]:
    """Follow → suggestion on the graph engine alone: Ada follows X (raw write); Me follows
    Ada, then the people-you-may-know query is asked until X is in it."""
    from bench.graph_speed import cleanup, raw_neo4j, raw_sqlite
    from shared.backends import open_port

    prefix = f"bench-{word()}-"
    with tempfile.TemporaryDirectory() as folder:
        if real:
            from stack import URLS

            graph = open_port("graph", URLS["graph"])
        else:
            graph = open_port("graph", f"sqlite:///{folder}/graph.db")
        write, suggest = raw_neo4j(graph) if real else raw_sqlite(graph)

        def one() -> float:
            me, ada, x = (f"{prefix}{word()}" for _ in range(3))
            write([(ada, x)])
            started = time.perf_counter()
            write([(me, ada)])
            return until(lambda: x in {r[0] for r in suggest(me)}, started, poll)

        try:
            times = [one() for _ in range(count)]
        finally:
            cleanup(graph, prefix, real)
            graph.close()
    return times


def run(args) -> dict:
    count = getattr(args, "count", 5 if args.quick else 50)
    poll = getattr(args, "poll", 5.0) / 1000
    real = args.backends == "real"
    with server(args.backends) as running:
        runs = townsquare_runs(Client(running.base, poll), count)
    if real:
        from stack import URLS

        engine = RawOpenSearch(URLS["search"])
    else:
        engine = RawFts5()
    try:
        raw = raw_runs(engine, count, poll)
    finally:
        engine.close()
    raw["follow → suggestion"] = raw_suggestions(real, max(1, count // 5), poll)
    rows = []
    for name, times in runs.items():
        rows.append(row(name, PROJECT, times, sum(times)))
        side = "graph engine alone" if name == "follow → suggestion" else "search engine alone"
        rows.append(row(name, side, raw[name], sum(raw[name])))
    return {
        "title": "write acknowledged → first found by GET /search, beside the engine alone",
        "unit": "write found (ops/s: 1 / mean latency)",
        "rows": rows,
        "notes": [
            f"search engine alone: {engine.what}; graph engine alone: raw follow writes, "
            f"then the people-you-may-know query; both sides polled every {1000 * poll:.0f} ms"
        ],
    }


def main() -> None:
    standalone("bench.search_freshness", ("--count", 50), ("--poll", 5.0))


if __name__ == "__main__":
    main()
