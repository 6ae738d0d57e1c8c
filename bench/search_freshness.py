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
        """Seconds from `started` until `check()` holds (polling)."""
        while not check():
            if time.perf_counter() - started > TIMEOUT:
                raise TimeoutError(f"not within {TIMEOUT} s")
            time.sleep(self.poll)
        return time.perf_counter() - started


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


def raw_opensearch(url: str, count: int, poll: float) -> tuple[list[float], str]:
    from opensearchpy import OpenSearch

    from shared.adapters.search.elastic import MAPPINGS, SETTINGS

    host = url.split("://", 1)[1].split("/")[0].split("?")[0]
    client, index = OpenSearch(hosts=[f"http://{host}"]), f"bench-fresh-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=index, body={"settings": SETTINGS, "mappings": MAPPINGS})
    times = []
    try:
        for _ in range(count):
            term = word()
            doc = {"type": "posts", "uuid": term, "title": "t", "text": term, "visibility": ["p"]}
            client.index(index=index, id=term, body=doc)
            started = time.perf_counter()
            query = {"query": {"match": {"text": term}}}
            while not client.search(index=index, body=query)["hits"]["hits"]:
                time.sleep(poll)
            times.append(time.perf_counter() - started)
    finally:
        client.indices.delete(index=index)
    return times, f"OpenSearch index, refresh_interval {SETTINGS['refresh_interval']}"


def raw_fts5(count: int) -> tuple[list[float], str]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
    times = []
    for _ in range(count):
        term, started = word(), time.perf_counter()
        db.execute("INSERT INTO t (text) VALUES (?)", (term,))
        while not db.execute("SELECT 1 FROM t WHERE t MATCH ?", (f'"{term}"',)).fetchone():
            time.sleep(0.001)
        times.append(time.perf_counter() - started)
    return times, "SQLite FTS5 insert then match (no refresh: visible at commit)"


def run(args) -> dict:
    count = getattr(args, "count", 5 if args.quick else 50)
    poll = getattr(args, "poll", 5.0) / 1000
    with server(args.backends) as running:
        runs = townsquare_runs(Client(running.base, poll), count)
    if args.backends == "real":
        from stack import URLS

        raw, what = raw_opensearch(URLS["search"], count, poll)
    else:
        raw, what = raw_fts5(count)
    rows = [row(name, PROJECT, times, sum(times)) for name, times in runs.items()]
    rows.append(row("post", "raw engine", raw, sum(raw), how=what))
    return {
        "title": "write acknowledged → first found by GET /search, beside the engine alone",
        "unit": "write found (ops/s: 1 / mean latency)",
        "rows": rows,
        "notes": [f"raw engine: {what}; search polled every {1000 * poll:.0f} ms"],
    }


def main() -> None:
    standalone("bench.search_freshness", ("--count", 50), ("--poll", 5.0))


if __name__ == "__main__":
    main()
