"""B2s: direct messages under load beside a trivial endpoint, on the same server.

One pair of people per load worker (the sender signed in, the recipient signed up); each
worker sends `POST /messages` to its own recipient in a closed loop (the harness's aiohttp
load: one connection per worker, the next request as the last is answered), and then as
many workers ask `GET /health/live`, for a fixed duration at each concurrency (1, 8, 32;
--quick: 1 and 8 for a second each). A send is the whole write path: bearer token,
validation, the write budget (lifted for the bench), the live write and the durable event
append; the event functions it wakes run in the same server meanwhile. Recorded per side:
every request's latency, the requests answered per second, and the server's CPU seconds
per 1,000 requests; an answer other than 201 (200 for /health/live) counts as an error.
"""

from __future__ import annotations

import requests

from bench.harness import Call, auth, beside_trivial, server, signup, sizes, standalone


def pairs(base: str, count: int) -> list[tuple[dict, dict]]:
    """`count` (sender, recipient) pairs of new people, no two pairs sharing anyone."""
    http = requests.Session()
    return [
        (signup(base, f"sender{i}", http), signup(base, f"recipient{i}", http))
        for i in range(count)
    ]


def run(args) -> dict:
    duration = args.duration or (1.0 if args.quick else 10.0)
    with server(args.backends) as running:
        people = pairs(running.base, max(sizes(args, [1, 8, 32], [1, 8])))
        sends = [
            Call(
                "POST",
                f"{running.base}/messages",
                auth(sender),
                {"to_user": recipient["uuid"], "text": "a benchmark direct message"},
                ok=201,
            )
            for sender, recipient in people
        ]
        title = "POST /messages (direct, one pair per worker) beside GET /health/live, same server"
        return beside_trivial(running, title, lambda n: sends[:n], args, duration)


if __name__ == "__main__":
    standalone("bench.sends")
