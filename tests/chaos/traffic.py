"""The battery's one traffic driver and one verifier, shared by every fault.

`Traffic` keeps chat flowing into one group over HTTP, WebSocket and MQTT (each transport
its own sender, every message with a client_id, retried with that same client_id until it
is acknowledged), posts and follow toggles over HTTP, while two members listen on their
streams (reconnecting with ?since= when a stream drops). Every HTTP answer is recorded:
its status, its latency, whether a 5xx other than 503-with-Retry-After was seen.

`verify()` then reads the group's history through the API and fills a report `Row`:
sent, acknowledged, delivered (to the listeners), stored, lost (acknowledged, not stored),
duplicated (a client_id stored twice, or a message delivered twice to one listener).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
import requests
import websocket

from tests.chaos.report import Row

PASSWORD = "chaos battery passphrase"


@dataclass
class Send:
    client_id: str
    transport: str
    started: float
    acked_at: float | None = None
    attempts: int = 0


@dataclass
class Answer:
    at: float
    status: int
    seconds: float
    code: str


@dataclass
class Tally:
    """What the driver saw; appended from many threads (list.append is atomic)."""

    sends: list[Send] = field(default_factory=list)
    posts: list[Send] = field(default_factory=list)
    post_uuids: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    bad_5xx: list[str] = field(default_factory=list)
    delivered: dict[str, Counter] = field(default_factory=dict)
    reconnects: Counter = field(default_factory=Counter)


class Client:
    """HTTP calls to the Townsquare under test, each recorded in the tally."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.base, self.tally = base, tally
        self.http = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        t0 = time.monotonic()
        try:
            answer = self.http.request(method, self.base + path, headers=headers, timeout=15, **kw)
        except requests.RequestException as exc:
            self.tally.answers.append(Answer(t0, 0, time.monotonic() - t0, type(exc).__name__))
            raise
        code = ""
        if answer.headers.get("content-type", "").startswith("application/json"):
            code = ((answer.json() or {}).get("error") or {}).get("code", "")
        self.tally.answers.append(Answer(t0, answer.status_code, time.monotonic() - t0, code))
        if answer.status_code >= 500 and not (
            answer.status_code == 503 and answer.headers.get("Retry-After")
        ):
            self.tally.bad_5xx.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        return answer

    def person(self, name: str) -> dict:
        email = f"{name}.{uuid.uuid4().hex[:10]}@example.org"
        body = {"email": email, "name": name.title(), "password": PASSWORD}
        assert self.call("POST", "/auth/signup", json=body).status_code == 201
        login = self.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return {
            "uuid": login.json()["user"]["uuid"],
            "token": login.json()["token"],
            "email": email,
        }


class Traffic:
    """Steady traffic into one group while a fault is injected (see module doc)."""

    def __init__(self, base: str, mqtt_host: str, mqtt_port: int, rate: float = 4.0) -> None:
        self.base, self.rate = base, rate
        self.mqtt_host, self.mqtt_port = mqtt_host, mqtt_port
        self.tally = Tally()
        self.api = Client(base, self.tally)
        self.stop = threading.Event()  # senders
        self.deaf = threading.Event()  # listeners: they outlive the senders, to the verdict
        self.threads: list[threading.Thread] = []
        self.listening: list[threading.Thread] = []
        self.by_http, self.by_ws, self.by_mqtt = (self.api.person(n) for n in ("http", "ws", "mq"))
        self.listeners = [self.api.person("listener"), self.api.person("listener")]
        self.admin = self.by_http
        group = self.api.call(
            "POST", "/groups", self.admin["token"], json={"name": "Chaos", "is_private": True}
        )
        self.group = group.json()["group"]["uuid"]
        for member in (self.by_ws, self.by_mqtt, *self.listeners):
            added = self.api.call(
                "POST",
                f"/groups/{self.group}/members",
                self.admin["token"],
                json={"user_uuid": member["uuid"]},
            )
            assert added.status_code == 201, added.text
        self.run_id = uuid.uuid4().hex[:8]
        self.counter = 0
        self.lock = threading.Lock()

    # --- driving ---------------------------------------------------------------------------

    def start(self) -> Traffic:
        for index, listener in enumerate(self.listeners):
            self.tally.delivered[listener["uuid"]] = Counter()
            self._thread(f"listen{index}", self._listen, listener)
            self.listening.append(self.threads.pop())
        self._thread("http", self._http_sender)
        self._thread("ws", self._ws_sender)
        self._thread("mqtt", self._mqtt_sender)
        self._thread("posts", self._poster)
        return self

    def finish(self, settle: float = 45.0) -> None:
        """Stop sending; let every pending send be acknowledged (or give up after `settle`)."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=settle)
        self.threads.clear()

    def close(self) -> None:
        """Stop everything, listeners included."""
        self.finish(settle=5)
        self.deaf.set()
        for thread in self.listening:
            thread.join(timeout=5)
        self.listening.clear()

    def _thread(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=f"chaos-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _client_id(self, transport: str) -> str:
        with self.lock:
            self.counter += 1
            return f"chaos-{self.run_id}-{transport}-{self.counter}"

    def _pace(self) -> None:
        self.stop.wait(1.0 / self.rate)

    def _http_sender(self) -> None:
        while not self.stop.is_set():
            send = Send(self._client_id("http"), "http", time.monotonic())
            self.tally.sends.append(send)
            body = {"to_group": self.group, "text": send.client_id, "client_id": send.client_id}
            self._until_acked(send, "POST", "/messages", self.by_http["token"], body)
            self._pace()

    def _until_acked(self, send: Send, method: str, path: str, token: str, body: dict):
        """Retry with the same body (so the same client_id) until a 2xx; a 4xx is final."""
        deadline = send.started + 120
        while time.monotonic() < deadline:
            send.attempts += 1
            try:
                answer = self.api.call(method, path, token, json=body)
            except requests.RequestException:
                time.sleep(0.5)
                continue
            if answer.status_code < 300:
                send.acked_at = time.monotonic()
                return answer
            if answer.status_code < 500 and answer.status_code != 429:
                return answer
            time.sleep(min(2.0, float(answer.headers.get("Retry-After") or 1)))
        return None

    def _poster(self) -> None:
        while not self.stop.is_set():
            send = Send(self._client_id("post"), "post", time.monotonic())
            self.tally.posts.append(send)
            body = {"text": send.client_id, "scope": "public"}
            answer = self._until_acked(send, "POST", "/posts", self.by_ws["token"], body)
            if answer is not None and answer.status_code == 201:
                self.tally.post_uuids.append(answer.json()["post"]["uuid"])
            follower, followee = self.listeners[0], self.by_ws
            verb = "PUT" if len(self.tally.posts) % 2 else "DELETE"
            follow = Send("follow", "follow", time.monotonic())
            self._until_acked(
                follow, verb, f"/users/{followee['uuid']}/follow", follower["token"], {}
            )
            self.stop.wait(2.0 / self.rate)

    def _ws_sender(self) -> None:
        socket = None
        pending: Send | None = None
        while not (self.stop.is_set() and pending is None):
            if pending is None:
                pending = Send(self._client_id("ws"), "ws", time.monotonic())
                self.tally.sends.append(pending)
            if time.monotonic() > pending.started + 120:
                break
            try:
                socket = socket or self._connect(self.by_ws)
                pending.attempts += 1
                data = {"to_group": self.group, "text": pending.client_id}
                data["client_id"] = pending.client_id
                socket.send(json.dumps({"type": "message.send", "data": data}))
                while True:
                    frame = json.loads(socket.recv())
                    if frame["type"] == "message.sent":
                        pending.acked_at = time.monotonic()
                        pending = None
                        break
                    if frame["type"] == "error":
                        if frame["data"].get("code") not in ("unavailable", "rate_limited"):
                            pending = None  # a final refusal: not acknowledged, not retried
                        time.sleep(0.5)
                        break
                self._pace()
            except (websocket.WebSocketException, OSError, ValueError):
                socket = None
                time.sleep(0.5)
        if socket is not None:
            socket.close()

    def _connect(self, person: dict, since: str | None = None) -> websocket.WebSocket:
        url = self.base.replace("http://", "ws://") + f"/stream?token={person['token']}"
        if since:
            url += f"&since={since}"
        return websocket.create_connection(url, timeout=5)

    def _mqtt_sender(self) -> None:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"chaos-{self.run_id}-publisher",
            clean_session=False,
        )
        client.reconnect_delay_set(min_delay=0.1, max_delay=1)
        client.max_queued_messages_set(0)
        acked: dict[int, Send] = {}
        inflight: dict[int, Send] = {}

        def on_publish(client, userdata, mid, reason_code, properties) -> None:
            send = inflight.pop(mid, None)
            if send is not None:
                send.acked_at = time.monotonic()
                acked[mid] = send

        client.on_publish = on_publish
        client.connect_async(self.mqtt_host, self.mqtt_port)
        client.loop_start()
        topic = f"townsquare/chat/group/{self.group}"
        while not self.stop.is_set():
            send = Send(self._client_id("mqtt"), "mqtt", time.monotonic(), attempts=1)
            self.tally.sends.append(send)
            payload = {
                "token": self.by_mqtt["token"],
                "text": send.client_id,
                "client_id": send.client_id,
            }
            info = client.publish(topic, json.dumps(payload), qos=1)
            inflight[info.mid] = send
            if send.acked_at is None and info.mid in acked:
                send.acked_at = acked[info.mid].acked_at
            self._pace()
        deadline = time.monotonic() + 30
        while inflight and time.monotonic() < deadline:
            time.sleep(0.1)
        client.loop_stop()
        client.disconnect()

    def _listen(self, person: dict) -> None:
        seen = self.tally.delivered[person["uuid"]]
        last: str | None = None
        socket = None
        while not self.deaf.is_set():
            try:
                socket = socket or self._connect(person, since=last)
                socket.settimeout(0.5)
                frame = json.loads(socket.recv())
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError, ValueError):
                socket = None
                self.tally.reconnects[person["uuid"]] += 1
                time.sleep(0.3)
                continue
            if frame.get("type") == "message.created":
                seen[frame["data"]["uuid"]] += 1
                last = frame["data"]["uuid"]
        if socket is not None:
            socket.close()

    # --- verifying -------------------------------------------------------------------------

    def stored(self) -> list[dict]:
        """Every message of the group, through the API's history (paged back in time)."""
        items: list[dict] = []
        before = None
        while True:
            query = f"/messages?group={self.group}&limit=100" + (
                f"&before={requests.utils.quote(before)}" if before else ""
            )
            answer = self.api.call("GET", query, self.listeners[0]["token"])
            assert answer.status_code == 200, answer.text
            page = answer.json()
            items += page["items"]
            before = page.get("next")
            if not before or not page["items"]:
                return items

    def verify(self, row: Row, window: tuple[float, float] | None = None) -> Row:
        """Fill `row` from what was sent and what the API now holds (see module doc)."""
        sends = self.tally.sends
        messages = self.stored()
        by_client = Counter(m["client_id"] for m in messages)
        acked = {s.client_id for s in sends if s.acked_at is not None}
        posts_acked = len(self.tally.post_uuids)
        row.sent += len(sends) + len(self.tally.posts)
        row.acked += len(acked) + posts_acked
        missing = sorted(acked - set(by_client))
        posts_missing = [
            p
            for p in self.tally.post_uuids
            if self.api.call("GET", f"/posts/{p}", self.by_ws["token"]).status_code != 200
        ]
        row.stored += len(by_client) + posts_acked - len(posts_missing)
        row.lost += len(missing) + len(posts_missing)
        if missing or posts_missing:
            row.notes.append(f"lost: messages {missing[:4]}, posts {posts_missing[:4]}")
        row.duplicated += sum(n - 1 for n in by_client.values() if n > 1)
        uuids = {m["uuid"] for m in messages}
        for counts in self.tally.delivered.values():
            row.delivered += sum(1 for u in counts if u in uuids)
            row.duplicated += sum(n - 1 for n in counts.values() if n > 1)
        undelivered = [
            (who, len(uuids - set(counts))) for who, counts in self.tally.delivered.items()
        ]
        row.notes += [
            f"{n} of {len(uuids)} stored messages never reached listener {w[:8]} "
            f"(its stream reconnected {self.tally.reconnects[w]} times)"
            for w, n in undelivered
            if n
        ]
        row.bad_5xx += len(self.tally.bad_5xx)
        row.notes += [f"bad 5xx: {line}" for line in self.tally.bad_5xx[:3]]
        row.rejections.update(
            f"{a.status} {a.code}".strip() if a.status else a.code
            for a in self.tally.answers
            if a.status >= 400 or a.status == 0
        )
        for transport in ("http", "ws", "mqtt"):
            mine = {m["uuid"] for m in messages if f"-{transport}-" in m["client_id"]}
            got = sum(1 for u in self.tally.delivered[self.listeners[0]["uuid"]] if u in mine)
            slow = max(
                (s.acked_at - s.started for s in sends if s.transport == transport and s.acked_at),
                default=0,
            )
            row.notes.append(
                f"{transport}: {len(mine)} stored, {got} delivered to listener 0, "
                f"slowest ack {slow:.1f}s"
            )
        unacked = [s.client_id for s in sends if s.acked_at is None]
        if unacked:
            row.notes.append(f"{len(unacked)} sends never acknowledged (e.g. {unacked[0]})")
        if window is not None:
            row.p99_ms = self.p99(window)
        return row

    def p99(self, window: tuple[float, float]) -> float | None:
        """p99, in milliseconds, of the time from a first attempt to its acknowledgement,
        over the sends in flight at any moment of `window` (monotonic seconds): begun
        before its end and acknowledged after its start, so a send blocked through the
        whole fault counts."""
        start, end = window
        spans = sorted(
            s.acked_at - s.started
            for s in [*self.tally.sends, *self.tally.posts]
            if s.acked_at is not None and s.started <= end and s.acked_at >= start
        )
        if not spans:
            return None
        return 1000 * spans[min(len(spans) - 1, int(0.99 * len(spans)))]

    def first_ack_after(self, moment: float, timeout: float = 60.0) -> float | None:
        """Seconds from `moment` until a send begun after it is acknowledged (recovery)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [
                s.acked_at
                for s in list(self.tally.sends)
                if s.acked_at is not None and s.started >= moment
            ]
            if done:
                return min(done) - moment
            time.sleep(0.1)
        return None
