"""live: sessions, live messages (message_master, with expiry), presence, pub/sub,
idempotency keys, rate limits, locks, and the live analytics series (per-minute
counters, capped sample lists, a timeline of flags) — what Redis holds.

Times-to-live are in seconds. Everything here may expire; the archive is the record.
A minute is an epoch minute: int(unix seconds // 60).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from shared.records import LiveSession, Message


class Subscription(Protocol):
    def get(self, timeout: float) -> tuple[str, dict] | None:
        """The next (channel, payload) within `timeout` seconds, or None."""

    def close(self) -> None: ...


class Listener(Protocol):
    """One pub/sub connection whose channels change while it runs: one thread reads with
    get(), any thread may add() or remove() channels."""

    def add(self, channels: list[str]) -> None:
        """Subscribe; returns once the store confirmed (a later publish is not missed)."""

    def remove(self, channels: list[str]) -> None: ...
    def get(self, timeout: float) -> tuple[str, dict] | None:
        """The next (channel, payload) within `timeout` seconds, or None."""

    def close(self) -> None: ...


class Live(Protocol):
    # sessions: keyed by the sha256 hex of the bearer token, never the token itself
    def put_session(
        self, token_hash: str, user_uuid: str, ttl: int, *, snapshot: dict | None = None
    ) -> None:
        """Store the session, and list it under its user (user_sessions). `snapshot` (the
        user record as JSON) lives and ends with the session."""

    def session_user(self, token_hash: str) -> str | None: ...
    def session_snapshot(self, token_hash: str) -> dict | None:
        """The snapshot stored with a live session; None without one (or without session)."""

    def drop_session(self, token_hash: str) -> None: ...
    def user_sessions(self, user_uuid: str) -> list[LiveSession]:
        """The user's sessions that are still alive, newest first."""

    def drop_user_sessions(self, user_uuid: str, *, keep: str | None = None) -> list[str]:
        """End every session of the user but `keep`; returns the token hashes ended."""

    # one-time secrets (password reset): keyed by a hash, never the secret itself
    def put_once(self, key: str, value: str, ttl: int) -> None: ...
    def take_once(self, key: str) -> str | None:
        """The value, removed in the same step: a second take (or an expired key) is None."""

    # message_master
    def put_message(self, message: Message, ttl: int, *, inboxes: Sequence[str] = ()) -> None:
        """Idempotent by message.uuid; also indexed in the inbox of each user in `inboxes`."""

    def get_message(self, uuid: str) -> Message | None: ...
    def get_messages(self, uuids: Sequence[str]) -> dict[str, Message]:
        """{uuid: message} for those of `uuids` still live, in one round trip."""

    def live_messages(
        self, conversation: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        """Newest first; only those not yet expired."""

    def live_messages_after(
        self, conversation: str, *, after: datetime, limit: int
    ) -> list[Message]:
        """The conversation's messages created strictly after `after`, oldest first; only
        those not yet expired (what a resuming stream replays of a group)."""

    def inbox(self, user_uuid: str, *, after: datetime, limit: int) -> list[Message]:
        """Messages in the user's inbox created strictly after `after`, oldest first."""

    def messages_between(self, *, after: datetime, before: datetime, limit: int) -> list[Message]:
        """Every live message created in (after, before], oldest first."""

    def claim_client_id(
        self, sender_uuid: str, client_id: str, message_uuid: str, ttl: int
    ) -> str | None:
        """Atomically: if (sender, client_id) is unclaimed, claim it for message_uuid and
        return None; else return the message uuid that claimed it first."""

    # pub/sub (fan-out between gateway processes)
    def publish(self, channel: str, payload: dict) -> None: ...
    def subscribe(self, channels: list[str]) -> Subscription: ...
    def listen(self) -> Listener:
        """One connection for a whole process's subscribers (the stream hub)."""

    # presence, rate limits, locks
    def touch_presence(self, user_uuid: str, ttl: int) -> None: ...
    def is_present(self, user_uuid: str) -> bool: ...
    def hit_rate(self, key: str, limit: int, window: int) -> bool:
        """Count one hit on key; True if still within `limit` hits per `window` seconds."""

    def acquire_lock(self, name: str, ttl: int) -> bool:
        """True for exactly one caller until the lock expires."""

    # live analytics: windowed counters, sample windows and a timeline
    def count(self, series: str, minute: int, by: int = 1, *, keep: int) -> int:
        """Add `by` to the series' counter for that minute; return the new count.
        The counter lives `keep` seconds after its last change."""

    def counts(self, series: str, first: int, last: int) -> list[int]:
        """The series' counters for minutes first..last inclusive, 0 where none."""

    def push_sample(self, name: str, value: float, *, keep: int) -> None:
        """Append to the window `name`, which holds only the latest `keep` values."""

    def samples(self, name: str) -> list[float]:
        """The window's values, newest first."""

    def add_stats(
        self,
        counts: Mapping[tuple[str, int], int],
        samples: Mapping[str, Sequence[float]],
        *,
        keep: int,
        window: int,
    ) -> None:
        """`count` and `push_sample` for many at once, in one round trip: add each
        {(series, minute): by}, living `keep` seconds; append each {window name: values,
        oldest first}, each window holding the latest `window` values."""

    def add_to_timeline(self, name: str, at: datetime, item: dict, *, keep: int) -> None:
        """Record `item` at time `at`; items older than `keep` seconds are dropped."""

    def timeline(self, name: str, *, since: datetime, limit: int) -> list[dict]:
        """Items recorded strictly after `since`, oldest first."""

    def health(self) -> None: ...
    def close(self) -> None: ...
