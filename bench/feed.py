"""B2: the authenticated feed beside a trivial endpoint, on the same server.

One person follows a few authors and belongs to a group, all of whom have posted; then an
asyncio load generator (aiohttp, one connection per worker) asks `GET /feed` with that
person's token, and `GET /health/live`, for a fixed duration at each concurrency (1, 8, 32;
--quick: 1 and 8 for a second each). Recorded per side: every request's latency, the
requests answered per second, and the server's CPU seconds per 1,000 requests. A request
answered with anything but 200 counts as an error (reported, not a latency).
"""

from __future__ import annotations

import requests

from bench.harness import Call, auth, beside_trivial, server, signup, standalone

AUTHORS = 3
POSTS_EACH = 10


def populate(base: str) -> dict:
    """A reader whose feed has followed authors' posts and a group's posts."""
    http = requests.Session()
    reader = signup(base, "reader", http)
    authors = [signup(base, f"author{i}", http) for i in range(AUTHORS)]
    group = http.post(f"{base}/groups", headers=auth(authors[0]), json={"name": "bench feed"})
    group.raise_for_status()
    group_uuid = group.json()["group"]["uuid"]
    http.post(
        f"{base}/groups/{group_uuid}/members", headers=auth(reader), json={}
    ).raise_for_status()
    for author in authors:
        http.put(f"{base}/users/{author['uuid']}/follow", headers=auth(reader)).raise_for_status()
        for i in range(POSTS_EACH):
            body = {"text": f"post {i} by {author['email']}", "scope": "public"}
            http.post(f"{base}/posts", headers=auth(author), json=body).raise_for_status()
    for i in range(POSTS_EACH):  # the group's admin posts in it too
        body = {"text": f"in the group {i}", "scope": "group", "group_uuid": group_uuid}
        http.post(f"{base}/posts", headers=auth(authors[0]), json=body).raise_for_status()
    feed = http.get(f"{base}/feed", headers=auth(reader))
    feed.raise_for_status()
    assert feed.json()["items"], "the reader's feed is empty"
    return reader


def run(args) -> dict:
    duration = args.duration or (1.0 if args.quick else 10.0)
    with server(args.backends) as running:
        feed = Call("GET", f"{running.base}/feed", auth(populate(running.base)))
        title = "authenticated GET /feed beside GET /health/live, same server"
        return beside_trivial(running, title, lambda n: [feed] * n, args, duration)


if __name__ == "__main__":
    standalone("bench.feed")
