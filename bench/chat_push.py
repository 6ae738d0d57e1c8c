"""Benchmark: chat send → WebSocket delivery, beside the bare pub/sub it rides on.

For 1, 10 and 100 subscribers (members of one group, each with a real WebSocket client),
send messages with POST /messages and time each until every subscriber has it. Then, in
the same run, on the same live store, time the bare loop underneath: one redis-py PUBLISH
to N redis-py subscribers. Prints messages/s and p50/p99 latency for both, and the ratio.

    .venv/bin/python bench/chat_push.py                 # embedded (fakeredis), in-process
    .venv/bin/python bench/chat_push.py --backends real # Redis etc. of `townsquare stack up`

Loopback only; bounded by --messages; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import websocket

from shared.settings import Settings
from triggers.emulator import Emulator


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(latencies: list[float], seconds: float) -> dict:
    return {
        "msgs_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
    }


class Receivers:
    """N subscribers; `arrived[key]` counts how many have seen each message key."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.arrived: dict[str, int] = {}
        self.done: dict[str, float] = {}
        self.lock = threading.Lock()

    def saw(self, key: str) -> None:
        with self.lock:
            self.arrived[key] = self.arrived.get(key, 0) + 1
            if self.arrived[key] == self.n:
                self.done[key] = time.perf_counter()

    def wait(self, key: str, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while key not in self.done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key}: {self.arrived.get(key, 0)}/{self.n} subscribers got it")
            time.sleep(0.0002)
        return self.done[key]


def townsquare_run(emulator: Emulator, subscribers: int, messages: int) -> dict:
    base = emulator.base_url
    people = [signup(base, f"bench{i}") for i in range(subscribers + 1)]
    sender, members = people[0], people[1:]
    group = requests.post(
        f"{base}/groups", headers=auth(sender), json={"name": "bench", "is_private": True}
    ).json()
    group_uuid = group["group"]["uuid"]
    for member in members:
        requests.post(
            f"{base}/groups/{group_uuid}/members",
            headers=auth(sender),
            json={"user_uuid": member["uuid"]},
        )
    receivers = Receivers(subscribers)
    sockets = [
        websocket.create_connection(f"{base.replace('http', 'ws')}/stream?token={m['token']}")
        for m in members
    ]
    stop = threading.Event()
    for ws in sockets:
        threading.Thread(target=read_socket, args=(ws, receivers, stop), daemon=True).start()
    session = requests.Session()
    latencies = []
    started = time.perf_counter()
    for i in range(messages):
        key = f"b{i}-{uuid.uuid4().hex[:6]}"
        sent = time.perf_counter()
        session.post(
            f"{base}/messages", headers=auth(sender), json={"to_group": group_uuid, "text": key}
        )
        latencies.append(receivers.wait(key) - sent)
    elapsed = time.perf_counter() - started
    stop.set()
    for ws in sockets:
        ws.close()
    return summary(latencies, elapsed)


def read_socket(ws, receivers: Receivers, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            frame = json.loads(ws.recv())
        except Exception:
            return
        if frame.get("type") == "message.created":
            receivers.saw(frame["data"]["text"])


def bare_run(live_client_factory, subscribers: int, messages: int) -> dict:
    receivers = Receivers(subscribers)
    stop = threading.Event()
    channel = f"bench:{uuid.uuid4().hex}"
    pubsubs = []
    for _ in range(subscribers):
        pubsub = live_client_factory().pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel)
        pubsubs.append(pubsub)
        threading.Thread(target=read_pubsub, args=(pubsub, receivers, stop), daemon=True).start()
    time.sleep(0.2)
    publisher = live_client_factory()
    latencies = []
    started = time.perf_counter()
    for i in range(messages):
        key = f"r{i}"
        sent = time.perf_counter()
        publisher.publish(channel, json.dumps({"text": key}))
        latencies.append(receivers.wait(key) - sent)
    elapsed = time.perf_counter() - started
    stop.set()
    return summary(latencies, elapsed)


def read_pubsub(pubsub, receivers: Receivers, stop: threading.Event) -> None:
    while not stop.is_set():
        item = pubsub.get_message(timeout=0.5)
        if item and item["type"] == "message":
            receivers.saw(json.loads(item["data"])["text"])


def signup(base: str, name: str) -> dict:
    email = f"{name}.{uuid.uuid4().hex[:8]}@bench.example.org"
    requests.post(
        f"{base}/auth/signup", json={"email": email, "name": name, "password": "benchmark-pass"}
    )
    login = requests.post(
        f"{base}/auth/login", json={"email": email, "password": "benchmark-pass"}
    ).json()
    return {"uuid": login["user"]["uuid"], "token": login["token"]}


def auth(person: dict) -> dict:
    return {"Authorization": f"Bearer {person['token']}"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    parser.add_argument("--subscribers", default="1,10,100")
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    overrides = {}
    if args.backends == "real":
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items()}
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            data_dir=Path(data),
            _env_file=None,
            write_rate_per_minute=10**9,
            auth_attempts_per_address=10**9,
            **overrides,
        )
        emulator = Emulator(settings, host="127.0.0.1", port=0, mqtt_port=0)
        emulator.start()
        live = emulator.services.live
        try:
            print(f"backends: {args.backends}; live store: {emulator.services.describe()['live']}")
            print(f"{'subs':>5} {'what':<11} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
            for n in [int(x) for x in args.subscribers.split(",")]:
                ours = townsquare_run(emulator, n, args.messages)
                bare = bare_run(live.new_client, n, args.messages)
                for what, result in (("townsquare", ours), ("bare pubsub", bare)):
                    print(
                        f"{n:>5} {what:<11} {result['msgs_per_s']:>9.1f} {result['p50_ms']:>8.2f} "
                        f"{result['p99_ms']:>8.2f}"
                    )
                print(
                    f"{n:>5} {'ratio':<11} {bare['msgs_per_s'] / ours['msgs_per_s']:>8.1f}x "
                    f"{ours['p50_ms'] / bare['p50_ms']:>7.1f}x {ours['p99_ms'] / bare['p99_ms']:>7.1f}x"
                    "   (bare ÷ townsquare throughput; townsquare ÷ bare latency)"
                )
        finally:
            emulator.shutdown()


if __name__ == "__main__":
    main()
