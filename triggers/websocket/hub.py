"""The Hub: one live-store listener per process, routing each publish to the local sockets.

Every socket of this process registers its channels here (shared/channels.py: its user,
its session, its groups, `operators` for operators). The hub holds one Listener
(one pub/sub connection) subscribed to the union of those channels, adding a channel
when its first socket arrives and dropping it when its last one leaves. A thread reads
the listener and hands each (channel, payload) to the event loop, where:

- `session:<hash>`: that session ended; its sockets close with 1008.
- `{"type": "group.joined" | "group.left", "data": {"group": uuid}}` on a user channel:
  that person's sockets gain or lose the group's channel, then get the event (docs/api.md),
  so a client seeing `group.joined` is already receiving that group's messages.
- anything else: encoded once and queued to every socket on the channel (each socket
  drops a message uuid it already sent, so a message arriving per user and per group
  reaches it once).

A slow safety check (SAFETY_EVERY seconds) closes sockets whose session is gone, in case
a session's end was published while the listener was reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol

from shared import channels
from shared.errors import TownsquareError
from shared.ports.live import Listener, Live

log = logging.getLogger("townsquare.stream")
SAFETY_EVERY = 30.0  # seconds between checks that every socket's session still lives
LOGGED_OUT = "logged out"
RESTART = "service restart; reconnect with ?since="
UNAVAILABLE = "live store unavailable; reconnect with ?since="
CONTROL = {"group.joined", "group.left"}

# every running hub of this process, by event loop (the server's shutdown closes them)
_HUBS: weakref.WeakSet[Hub] = weakref.WeakSet()


class Peer(Protocol):
    """One local socket, as the hub sees it."""

    user: str
    session: str
    channels: set[str]

    def push(self, uuid: str | None, text: str) -> None: ...
    async def close(self, code: int, reason: str) -> None: ...


class Hub:
    def __init__(self, live: Live) -> None:
        self.live = live
        self.peers: dict[str, set[Peer]] = {}
        self._confirming: dict[str, asyncio.Future] = {}
        self._listener: Listener | None = None
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self._membership: dict[Peer, asyncio.Task] = {}  # each socket's last membership change

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.spawn(self._check_sessions())
        _HUBS.add(self)

    async def stop(self, code: int = 1012, reason: str = RESTART) -> None:
        """Close every local socket with `code`, then the listener."""
        await self.close_all(code, reason)
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        _HUBS.discard(self)

    async def close_all(self, code: int, reason: str) -> None:
        peers = {peer for group in self.peers.values() for peer in group}
        await asyncio.gather(*(peer.close(code, reason) for peer in peers))

    # sockets come and go
    async def join(self, peer: Peer, names: Iterable[str]) -> None:
        """Route `names` to `peer`; returns once the live store confirmed every channel."""
        names = [n for n in dict.fromkeys(names) if n not in peer.channels]
        fresh = []
        for name in names:
            members = self.peers.setdefault(name, set())
            if not members:
                fresh.append(name)
            members.add(peer)
            peer.channels.add(name)
        if fresh:
            listener = self._ensure_listener()
            confirming = asyncio.ensure_future(asyncio.to_thread(listener.add, fresh))
            for name in fresh:
                self._confirming[name] = confirming
            confirming.add_done_callback(lambda done: self._confirmed(fresh, done))
        for waiting in {self._confirming[n] for n in names if n in self._confirming}:
            await asyncio.shield(waiting)

    def leave(self, peer: Peer, names: Iterable[str] | None = None) -> None:
        """Stop routing `names` (default: all of its channels) to `peer`."""
        stale = []
        for name in list(peer.channels if names is None else names):
            peer.channels.discard(name)
            members = self.peers.get(name)
            if members is None:
                continue
            members.discard(peer)
            if not members:
                del self.peers[name]
                stale.append(name)
        if stale and self._listener is not None:
            self._listener.remove(stale)

    def _confirmed(self, names: list[str], done: asyncio.Future) -> None:
        for name in names:
            if self._confirming.get(name) is done:
                del self._confirming[name]
        if done.exception() is not None:  # the listener is gone: start over on next join
            self.spawn(self._lost(done.exception()))

    # the listener thread and routing
    def _ensure_listener(self) -> Listener:
        if self._listener is None:
            self._listener = self.live.listen()
            threading.Thread(
                target=self._read, args=(self._listener,), name="townsquare-hub", daemon=True
            ).start()
        return self._listener

    def _read(self, listener: Listener) -> None:
        assert self._loop is not None
        while not self._stop.is_set() and self._listener is listener:
            try:
                item = listener.get(timeout=1.0)
            except TownsquareError as exc:
                if self._listener is listener and not self._stop.is_set():
                    self._loop.call_soon_threadsafe(self.spawn, self._lost(exc))
                return
            if item is not None:
                self._loop.call_soon_threadsafe(self._route, *item)

    async def _lost(self, exc: BaseException | None) -> None:
        """The listener failed: every socket reconnects (with ?since=) to a fresh one."""
        log.warning("live store listener lost: %s", exc)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
        await self.close_all(1013, UNAVAILABLE)

    def _route(self, channel: str, payload: dict) -> None:
        members = list(self.peers.get(channel, ()))
        if not members:
            return
        if channel.startswith(channels.session("")):
            for peer in members:
                self.spawn(peer.close(1008, LOGGED_OUT))
            return
        kind = payload.get("type")
        data = payload.get("data") or {}
        if kind in CONTROL and channel.startswith(channels.user("")):
            group, text = channels.group(str(data.get("group", ""))), json.dumps(payload)
            for peer in members:
                self._control(peer, kind == "group.joined", group, text)
            return
        uuid = data.get("uuid") if kind == "message.created" else None
        text = json.dumps(payload)
        for peer in members:
            peer.push(uuid, text)

    def _control(self, peer: Peer, joined: bool, group: str, text: str) -> None:
        """Follow (or stop following) `group` for `peer`, then tell its client. A socket's
        membership changes apply in the order they came: a join waits for the live store's
        confirmation, and a leave behind it waits for that join."""
        previous = self._membership.get(peer)

        async def apply() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):  # its own failure path closed the sockets
                    await asyncio.shield(previous)
            if joined:
                await self.join(peer, [group])
            else:
                self.leave(peer, [group])
            peer.push(None, text)

        task = asyncio.ensure_future(apply())
        self._tasks.add(task)
        self._membership[peer] = task

        def done(finished: asyncio.Task) -> None:
            self._tasks.discard(finished)
            if self._membership.get(peer) is finished:
                del self._membership[peer]

        task.add_done_callback(done)

    async def _check_sessions(self) -> None:
        """The slow safety net behind the pushed session ends."""
        while True:
            await asyncio.sleep(SAFETY_EVERY)
            sessions = [n for n in self.peers if n.startswith(channels.session(""))]
            for name in sessions:
                digest = name.removeprefix(channels.session(""))
                try:
                    alive = await asyncio.to_thread(self.live.session_user, digest)
                except TownsquareError:
                    break  # the listener's own failure path closes the sockets
                if alive is None:
                    self._route(name, {"type": "session.closed"})

    def spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def restart_all() -> None:
    """Close every socket of the hubs on this event loop with 1012 (the server is going)."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(
        *(hub.close_all(1012, RESTART) for hub in list(_HUBS) if hub._loop is loop)
    )
