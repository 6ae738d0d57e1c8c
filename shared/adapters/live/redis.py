"""RedisLive: the live port on Redis, or on fakeredis embedded in the process.

URLs:
  redis://host:port/db                  a Redis server (redis-py)
  fakeredis:///abs/path/live.snapshot   embedded; the data survives restarts in that file

Both run the same code; only the client differs. Layout (all keys under `townsquare:`):
  session:<token sha256>        user uuid, SET EX
  snapshot:<token sha256>       the user record as JSON when the session began (what
                                authentication falls back to while accounts is down), SET EX
  sessions:<user>               hash: token sha256 -> [created, expires] epoch seconds; the
                                sessions that ended on their own are trimmed on read
  once:<sha256>                 a one-time secret's value (password reset), SET EX / GETDEL
  message:<uuid>                the message as JSON, SET EX
  conversation:<name>           sorted set of message uuids, score = created_at in epoch
                                microseconds; members whose message expired are trimmed on read
  inbox:<user>                  the same, per person of a direct conversation (what a
                                resuming stream replays; group messages are read from
                                their conversation instead)
  recent                        the same, every live message (what the archival sweep reads)
  client-id:<sender>:<id>       the first message uuid sent under that client id, SET NX EX
  presence:<user>, lock:<name>  SET EX / SET NX EX
  rate:<key>                    sorted set of hit times (a sliding window), one MULTI per hit
  count:<series>:<minute>       one per-minute counter, INCRBY + EXPIRE in one MULTI
  samples:<name>                list, newest first, LPUSH + LTRIM to the window's size
  timeline:<name>               sorted set of [id, item] JSON, score = epoch microseconds
Pub/sub channels are `townsquare:<channel>`, payloads JSON.

Embedded: adapters opened on the same URL in one process share one fakeredis server
(data and pub/sub); persistence is in shared.adapters.live.embedded. Limit: one process
owns a snapshot file — two processes on one file would overwrite each other's saves.
"""

from __future__ import annotations

import functools
import json
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from shared.backends import LIVE_TIMEOUT
from shared.errors import Unavailable
from shared.records import LiveSession, Message, parse_time

PREFIX = "townsquare:"
# a process's stream hub holds one pub/sub connection; many threads share the pool
MAX_CONNECTIONS = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SESSION_KEYS = ("session", "snapshot")  # what a session is stored under, by token hash


def _guarded(method):
    """Translate a lost or slow connection into Unavailable."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise Unavailable(f"live store unreachable: {exc}") from exc

    return wrapper


def _micros(when: datetime) -> int:
    return (when - EPOCH) // timedelta(microseconds=1)


def _instant(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(round(epoch_seconds, 3), UTC)


def _ttl(seconds: int) -> int:
    return max(1, int(seconds))  # Redis refuses EX 0; the shortest life is one second


def _encode_message(message: Message) -> str:
    body = message.as_json()
    body.pop("conversation", None)
    return json.dumps(body)


def _decode_message(text: str) -> Message:
    body = json.loads(text)
    body["created_at"] = parse_time(body["created_at"])
    body["media"] = tuple(body.get("media") or ())
    return Message(**body)


class RedisLive:
    def __init__(self, client: Any, embedded=None) -> None:
        # Any: redis-py types replies as bytes | str; decode_responses=True makes them str
        self.client = client
        self._embedded = embedded  # EmbeddedServer for fakeredis://, None for a real server

    @classmethod
    def from_url(cls, url: str, *, timeout: float = LIVE_TIMEOUT) -> RedisLive:
        parts = urlsplit(url)
        if parts.scheme == "fakeredis":
            import fakeredis

            from shared.adapters.live.embedded import EmbeddedServer

            embedded = EmbeddedServer.open(parts.path)
            fake = fakeredis.FakeRedis(
                server=embedded.server, decode_responses=True, max_connections=MAX_CONNECTIONS
            )
            return cls(fake, embedded)
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,  # every command; a subscription's wait is its own
            socket_connect_timeout=timeout,
            # one immediate retry of a dropped connection (a restarted server), none of a
            # timeout: redis-py's default (3 retries with backoff) would stretch an outage's
            # answer to seconds
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            max_connections=MAX_CONNECTIONS,
        )
        return cls(client)

    def _changed(self) -> None:
        if self._embedded is not None:
            self._embedded.touch()

    # sessions
    @_guarded
    def put_session(
        self, token_hash: str, user_uuid: str, ttl: int, *, snapshot: dict | None = None
    ) -> None:
        now = time.time()
        sessions = f"{PREFIX}sessions:{user_uuid}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(f"{PREFIX}session:{token_hash}", user_uuid, ex=_ttl(ttl))
            if snapshot is not None:
                pipe.set(f"{PREFIX}snapshot:{token_hash}", json.dumps(snapshot), ex=_ttl(ttl))
            pipe.hset(sessions, token_hash, json.dumps([now, now + ttl]))
            pipe.expire(sessions, _ttl(ttl), gt=True)
            pipe.expire(sessions, _ttl(ttl), nx=True)
            pipe.execute()
        self._changed()

    @_guarded
    def user_sessions(self, user_uuid: str) -> list[LiveSession]:
        sessions = f"{PREFIX}sessions:{user_uuid}"
        listed = self.client.hgetall(sessions)
        alive = self.client.mget([f"{PREFIX}session:{h}" for h in listed]) if listed else []
        found, gone = [], []
        for (token_hash, times), owner in zip(listed.items(), alive, strict=True):
            if owner != user_uuid:
                gone.append(token_hash)
                continue
            created, expires = json.loads(times)
            found.append(LiveSession(token_hash, user_uuid, _instant(created), _instant(expires)))
        if gone:  # expired or dropped one by one: forget them here too
            self.client.hdel(sessions, *gone)
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    @_guarded
    def drop_user_sessions(self, user_uuid: str, *, keep: str | None = None) -> list[str]:
        sessions = f"{PREFIX}sessions:{user_uuid}"
        ending = [h for h in self.client.hkeys(sessions) if h != keep]
        if ending:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(*[f"{PREFIX}{kind}:{h}" for h in ending for kind in SESSION_KEYS])
                pipe.hdel(sessions, *ending)
                pipe.execute()
            self._changed()
        return ending

    @_guarded
    def put_once(self, key: str, value: str, ttl: int) -> None:
        self.client.set(f"{PREFIX}once:{key}", value, ex=_ttl(ttl))
        self._changed()

    @_guarded
    def take_once(self, key: str) -> str | None:
        value = self.client.getdel(f"{PREFIX}once:{key}")
        if value is not None:
            self._changed()
        return value

    @_guarded
    def session_user(self, token_hash: str) -> str | None:
        return self.client.get(f"{PREFIX}session:{token_hash}")

    @_guarded
    def session_snapshot(self, token_hash: str) -> dict | None:
        text = self.client.get(f"{PREFIX}snapshot:{token_hash}")
        return json.loads(text) if text else None

    @_guarded
    def drop_session(self, token_hash: str) -> None:
        self.client.delete(*[f"{PREFIX}{kind}:{token_hash}" for kind in SESSION_KEYS])
        self._changed()

    # message_master
    @_guarded
    def put_message(self, message: Message, ttl: int, *, inboxes: Sequence[str] = ()) -> None:
        score = {message.uuid: _micros(message.created_at)}
        indexes = [f"{PREFIX}conversation:{message.conversation}", f"{PREFIX}recent"]
        indexes += [f"{PREFIX}inbox:{user}" for user in inboxes]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(f"{PREFIX}message:{message.uuid}", _encode_message(message), ex=_ttl(ttl))
            for index in indexes:
                pipe.zadd(index, score)
                # an index lives as long as its longest-lived message
                pipe.expire(index, _ttl(ttl), nx=True)
                pipe.expire(index, _ttl(ttl), gt=True)
            pipe.execute()
        self._changed()

    @_guarded
    def get_message(self, uuid: str) -> Message | None:
        text = self.client.get(f"{PREFIX}message:{uuid}")
        return _decode_message(text) if text else None

    @_guarded
    def get_messages(self, uuids: Sequence[str]) -> dict[str, Message]:
        if not uuids:
            return {}
        bodies = self.client.mget([f"{PREFIX}message:{uuid}" for uuid in uuids])
        return {u: _decode_message(body) for u, body in zip(uuids, bodies, strict=True) if body}

    def live_messages(
        self, conversation: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        newest = f"({_micros(before)}" if before else "+inf"
        return self._read_index(
            f"conversation:{conversation}", "-inf", newest, limit, newest_first=True
        )

    def live_messages_after(
        self, conversation: str, *, after: datetime, limit: int
    ) -> list[Message]:
        return self._read_index(f"conversation:{conversation}", f"({_micros(after)}", "+inf", limit)

    def inbox(self, user_uuid: str, *, after: datetime, limit: int) -> list[Message]:
        return self._read_index(f"inbox:{user_uuid}", f"({_micros(after)}", "+inf", limit)

    def messages_between(self, *, after: datetime, before: datetime, limit: int) -> list[Message]:
        return self._read_index("recent", f"({_micros(after)}", _micros(before), limit)

    @_guarded
    def _read_index(
        self, name: str, low, high, limit: int, *, newest_first: bool = False
    ) -> list[Message]:
        """Messages indexed in sorted set `name` with scores in [low, high], skipping (and
        trimming) members whose message has expired."""
        index = f"{PREFIX}{name}"
        found: list[Message] = []
        start = 0
        while len(found) < limit:
            if newest_first:
                uuids = self.client.zrevrangebyscore(index, high, low, start=start, num=limit)
            else:
                uuids = self.client.zrangebyscore(index, low, high, start=start, num=limit)
            if not uuids:
                break
            bodies = self.client.mget([f"{PREFIX}message:{u}" for u in uuids])
            expired = [u for u, body in zip(uuids, bodies, strict=True) if body is None]
            if expired:
                self.client.zrem(index, *expired)
                self._changed()
            kept = [_decode_message(body) for body in bodies if body is not None]
            found.extend(kept)
            start += len(kept)  # the expired ones are gone, so the rest moved up
        return found[:limit]

    @_guarded
    def claim_client_id(
        self, sender_uuid: str, client_id: str, message_uuid: str, ttl: int
    ) -> str | None:
        key = f"{PREFIX}client-id:{sender_uuid}:{client_id}"
        while True:
            if self.client.set(key, message_uuid, nx=True, ex=_ttl(ttl)):
                self._changed()
                return None
            holder = self.client.get(key)
            if holder is not None:  # else the claim expired between the two calls: try again
                return holder

    # pub/sub
    @_guarded
    def publish(self, channel: str, payload: dict) -> None:
        self.client.publish(PREFIX + channel, json.dumps(payload))

    @_guarded
    def subscribe(self, channels: list[str]) -> RedisSubscription:
        return RedisSubscription(self.client.pubsub(), channels)

    def listen(self) -> RedisListener:
        return RedisListener(self.client.pubsub())

    # presence, rate limits, locks
    @_guarded
    def touch_presence(self, user_uuid: str, ttl: int) -> None:
        self.client.set(f"{PREFIX}presence:{user_uuid}", "1", ex=_ttl(ttl))
        self._changed()

    @_guarded
    def is_present(self, user_uuid: str) -> bool:
        return bool(self.client.exists(f"{PREFIX}presence:{user_uuid}"))

    @_guarded
    def hit_rate(self, key: str, limit: int, window: int) -> bool:
        now = time.time()
        rate = f"{PREFIX}rate:{key}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(rate, "-inf", now - window)
            pipe.zadd(rate, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
            pipe.zcard(rate)
            pipe.expire(rate, _ttl(window))
            hits = pipe.execute()[2]
        self._changed()
        return hits <= limit

    @_guarded
    def acquire_lock(self, name: str, ttl: int) -> bool:
        taken = bool(self.client.set(f"{PREFIX}lock:{name}", "1", nx=True, ex=_ttl(ttl)))
        if taken:
            self._changed()
        return taken

    # live analytics
    @_guarded
    def count(self, series: str, minute: int, by: int = 1, *, keep: int) -> int:
        key = f"{PREFIX}count:{series}:{minute}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(key, by)
            pipe.expire(key, _ttl(keep))
            total = pipe.execute()[0]
        self._changed()
        return int(total)

    @_guarded
    def counts(self, series: str, first: int, last: int) -> list[int]:
        if last < first:
            return []
        keys = [f"{PREFIX}count:{series}:{minute}" for minute in range(first, last + 1)]
        return [int(value or 0) for value in self.client.mget(keys)]

    @_guarded
    def push_sample(self, name: str, value: float, *, keep: int) -> None:
        key = f"{PREFIX}samples:{name}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.lpush(key, repr(float(value)))
            pipe.ltrim(key, 0, max(1, keep) - 1)
            pipe.execute()
        self._changed()

    @_guarded
    def add_stats(
        self,
        counts: Mapping[tuple[str, int], int],
        samples: Mapping[str, Sequence[float]],
        *,
        keep: int,
        window: int,
    ) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for (series, minute), by in counts.items():
                key = f"{PREFIX}count:{series}:{minute}"
                pipe.incrby(key, by)
                pipe.expire(key, _ttl(keep))
            for name, values in samples.items():
                if not values:
                    continue
                key = f"{PREFIX}samples:{name}"
                pipe.lpush(key, *(repr(float(value)) for value in values))
                pipe.ltrim(key, 0, max(1, window) - 1)
            pipe.execute()
        self._changed()

    @_guarded
    def samples(self, name: str) -> list[float]:
        return [float(value) for value in self.client.lrange(f"{PREFIX}samples:{name}", 0, -1)]

    @_guarded
    def add_to_timeline(self, name: str, at: datetime, item: dict, *, keep: int) -> None:
        key = f"{PREFIX}timeline:{name}"
        oldest = _micros(datetime.now(UTC) - timedelta(seconds=keep))
        member = json.dumps([uuid.uuid4().hex, item])
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {member: _micros(at)})
            pipe.zremrangebyscore(key, "-inf", f"({oldest}")
            pipe.expire(key, _ttl(keep))
            pipe.execute()
        self._changed()

    @_guarded
    def timeline(self, name: str, *, since: datetime, limit: int) -> list[dict]:
        members = self.client.zrangebyscore(
            f"{PREFIX}timeline:{name}", f"({_micros(since)}", "+inf", start=0, num=limit
        )
        return [json.loads(member)[1] for member in members]

    @_guarded
    def health(self) -> None:
        self.client.ping()

    def new_client(self) -> redis.Redis:
        """Another client on the same store (benchmarks compare against bare pub/sub)."""
        if self._embedded is not None:
            import fakeredis

            return fakeredis.FakeRedis(server=self._embedded.server, decode_responses=True)
        return redis.Redis(connection_pool=self.client.connection_pool)

    def close(self) -> None:
        if self._embedded is not None:
            self._embedded.release()
            self._embedded = None
        self.client.close()


class RedisSubscription:
    """Messages on the subscribed channels, in arrival order; JSON payloads."""

    def __init__(self, pubsub, channels: list[str], confirm_within: float = 5.0) -> None:
        self.pubsub = pubsub
        self._early: deque[dict] = deque()
        pubsub.subscribe(*[PREFIX + c for c in channels])
        self._await_confirmations(len(set(channels)), confirm_within)

    def _await_confirmations(self, pending: int, within: float) -> None:
        # Return only once the server has registered us, so a publish right after
        # subscribe() is never missed; messages that arrive meanwhile are kept.
        deadline = time.monotonic() + within
        while pending and time.monotonic() < deadline:
            message = self.pubsub.get_message(timeout=deadline - time.monotonic())
            if message and message["type"] == "subscribe":
                pending -= 1
            elif message and message["type"] == "message":
                self._early.append(message)
        if pending:
            raise Unavailable("live store did not confirm the subscription")

    @_guarded
    def get(self, timeout: float) -> tuple[str, dict] | None:
        deadline = time.monotonic() + timeout
        while True:
            message = self._early.popleft() if self._early else self._next(deadline)
            if message and message["type"] == "message":
                return message["channel"].removeprefix(PREFIX), json.loads(message["data"])
            if time.monotonic() >= deadline:
                return None

    def _next(self, deadline: float) -> dict | None:
        remaining = max(0.0, deadline - time.monotonic())
        try:
            return self.pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
        except (OSError, ValueError) as exc:  # the client was closed under us (shutdown)
            raise Unavailable(f"subscription closed: {exc}") from exc

    def close(self) -> None:
        self.pubsub.close()


class RedisListener:
    """One pub/sub connection whose channels change while it runs (a process's stream hub).

    One thread reads with get(); add() and remove() may come from any thread. They are
    queued and applied by the reading thread between reads (so the connection has one
    owner), and add() returns once the server confirmed every channel: a publish after
    add() returns is never missed."""

    POLL = 0.05  # seconds a read may wait before queued changes are applied

    def __init__(self, pubsub, confirm_within: float = 5.0) -> None:
        self.pubsub = pubsub
        self.confirm_within = confirm_within
        self._changes: queue.SimpleQueue = queue.SimpleQueue()
        self._awaiting: dict[str, deque[threading.Event]] = {}
        self._failed: Exception | None = None

    def add(self, channels: list[str]) -> None:
        """Subscribe to these channels; returns once the server confirmed them."""
        if not channels:
            return
        names = [PREFIX + c for c in dict.fromkeys(channels)]
        confirmed = [threading.Event() for _ in names]
        self._changes.put(("subscribe", names, confirmed))
        for event in confirmed:
            if not event.wait(self.confirm_within) or self._failed is not None:
                raise Unavailable("live store did not confirm the subscription")

    def remove(self, channels: list[str]) -> None:
        """Unsubscribe from these channels (applied by the reader; returns at once)."""
        if channels:
            self._changes.put(("unsubscribe", [PREFIX + c for c in channels], []))

    @_guarded
    def get(self, timeout: float) -> tuple[str, dict] | None:
        """The next (channel, payload) within `timeout` seconds, or None."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._apply_changes()
                wait = max(0.0, min(self.POLL, deadline - time.monotonic()))
                message = self.pubsub.get_message(timeout=wait)
                if message and message["type"] == "subscribe":
                    waiting = self._awaiting.get(message["channel"])
                    if waiting:
                        waiting.popleft().set()
                elif message and message["type"] == "message":
                    return message["channel"].removeprefix(PREFIX), json.loads(message["data"])
                if time.monotonic() >= deadline:
                    return None
        except (OSError, ValueError, redis.RedisError) as exc:
            self._fail(exc)
            if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
                raise
            raise Unavailable(f"live store listener stopped: {exc}") from exc

    def _apply_changes(self) -> None:
        while True:
            try:
                command, names, confirmed = self._changes.get_nowait()
            except queue.Empty:
                return
            for name, event in zip(names, confirmed, strict=False):
                self._awaiting.setdefault(name, deque()).append(event)
            getattr(self.pubsub, command)(*names)

    def _fail(self, exc: Exception) -> None:
        """Release every add() still waiting: the connection is gone."""
        self._failed = exc
        for waiting in self._awaiting.values():
            for event in waiting:
                event.set()
        self._awaiting.clear()

    def close(self) -> None:
        self.pubsub.close()
