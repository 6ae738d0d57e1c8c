"""/api/v1/stream: everything the caller may see, pushed as it happens.

- Auth: the bearer token (header, or ?token= for browsers), checked before the upgrade,
  so a bad token is a plain 401; the Origin must be allowed (Settings.allowed_origins).
- Push: the caller is subscribed to the live store's `user:<uuid>` channel and the
  `group:<uuid>` channel of each group they are in before the upgrade (so what is
  published once the client has its socket reaches it); every gateway process publishes
  there, so any process's sockets get any process's messages. A `group.joined` /
  `group.left` on the user channel renews the subscription (the new one is open before the
  old one closes, and pushes are de-duplicated, so nothing is missed).
- Send: {"type": "message.send", "data": {...}} goes through send_message, exactly as
  POST /messages; the answer is {"type": "message.sent"} or {"type": "error"}.
- Resume: ?since=<message uuid> first replays what the caller missed after that message
  (functions/messages/replay.py),
  then goes live; pushes are de-duplicated by message uuid, so nothing is missed and
  nothing doubled across the switch.
- Logout closes the socket within a second (session channel, and a check every second).
- Operators' sockets also get {"type": "anomaly.detected"} flags (the `operators` channel).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque

from flask import Flask, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from functions.groups.announce import JOINED, LEFT
from functions.messages import send_from
from functions.messages.replay import missed
from shared import channels
from shared.context import Context
from shared.errors import Forbidden, Invalid, TownsquareError
from shared.jsonin import load_object
from triggers.auth.identity import BASE, authenticate

PATH = BASE + "/stream"
REPLAY_LIMIT = 1000


def attach_stream(app: Flask, base: Context) -> None:
    # a frame past the body limit closes the socket with 1009 (message too big)
    app.config["SOCK_SERVER_OPTIONS"] = {"max_message_size": base.settings.max_body_bytes}
    sock = Sock(app)

    @app.before_request
    def _check_stream_caller() -> None:
        if request.path == PATH:
            _check_origin(base)
            g.stream_ctx = authenticate(base)
            # subscribed before the upgrade: whatever is published once the client has its
            # socket reaches it
            g.stream_subscription = _subscribe(g.stream_ctx)

    @app.teardown_request
    def _close_unused_subscription(_exc) -> None:
        subscription = g.pop("stream_subscription", None)
        if subscription is not None:  # the upgrade failed: no session took it
            subscription.close()

    @sock.route(PATH, endpoint="stream")
    def stream(ws) -> None:
        subscription = g.pop("stream_subscription")
        try:
            Session(ws, g.stream_ctx).run(request.args.get("since"), subscription)
        except TownsquareError as exc:  # after the upgrade an HTTP error page would be garbage
            with contextlib.suppress(ConnectionClosed):
                ws.close(reason=1013 if exc.status == 503 else 1008, message=exc.public[:120])


def _subscribe(ctx: Context):
    """The caller's channels: their own, their session's, their groups' (and operators')."""
    me = ctx.me
    names = [channels.user(me.uuid), channels.session(ctx.token_hash or "")]
    names += [channels.group(group.uuid) for group in ctx.accounts.groups_of(me.uuid)]
    if me.is_operator:
        names.append(channels.OPERATORS)  # anomaly.detected flags
    return ctx.live.subscribe(names)


def _check_origin(base: Context) -> None:
    """A browser page may open a stream from this server's own origin, or from one listed in
    Settings.allowed_origins ("*": any). Clients that send no Origin (apps) are not browsers."""
    allowed = [o.strip() for o in base.settings.allowed_origins.split(",") if o.strip()]
    allowed.append(f"{request.scheme}://{request.host}")
    origin = request.headers.get("Origin")
    if origin and "*" not in allowed and origin not in allowed:
        raise Forbidden(f"Origin {origin!r} may not open a stream", field="Origin")


class Session:
    def __init__(self, ws, ctx: Context) -> None:
        self.ws, self.ctx, self.me = ws, ctx, ctx.me
        self.sent: deque[str] = deque(maxlen=4096)
        self.send_lock = threading.Lock()
        self.open = threading.Event()
        self.open.set()

    def run(self, since: str | None, subscription) -> None:
        pusher = threading.Thread(target=self._push, args=(subscription,), daemon=True)
        try:
            self._replay(since)
            pusher.start()
            self._receive()
        finally:
            self.open.clear()
            if pusher.is_alive():
                pusher.join(timeout=2.0)  # the pusher owns the subscription and closes it
            else:
                subscription.close()

    def _replay(self, since: str | None) -> None:
        if not since:
            return
        anchor = self.ctx.live.get_message(since) or self.ctx.content.get_archived_message(since)
        if anchor is None:
            self._emit(
                {
                    "type": "error",
                    "data": {
                        "code": "not_found",
                        "field": "since",
                        "message": "since names no message we still hold",
                    },
                }
            )
            return
        for message in missed(self.ctx, self.me.uuid, after=anchor.created_at, limit=REPLAY_LIMIT):
            if message.uuid != anchor.uuid:
                self._emit({"type": "message.created", "data": message.as_json()})

    def _push(self, subscription) -> None:
        try:
            while self.open.is_set():
                try:
                    item = subscription.get(timeout=0.5)
                    if item is not None and item[1].get("type") in (JOINED, LEFT):
                        renewed = _subscribe(self.ctx)
                        subscription.close()
                        subscription = renewed
                except TownsquareError:  # the live store went away: reconnect with since=
                    self._close("live store unavailable; reconnect with ?since=")
                    return
                if item is None:
                    continue
                channel, payload = item
                if channel == channels.session(self.ctx.token_hash or ""):
                    self._close("logged out")
                    return
                self._emit(payload)
        finally:
            subscription.close()

    def _receive(self) -> None:
        while self.open.is_set():
            try:
                raw = self.ws.receive(timeout=1.0)
            except ConnectionClosed:
                return
            if self.ctx.live.session_user(self.ctx.token_hash or "") is None:
                self._close("logged out")
                return
            if raw is not None:
                self._answer(raw)

    def _answer(self, raw) -> None:
        try:
            frame = load_object(raw, what="a frame", field="frame")
            if frame.get("type") != "message.send":
                raise Invalid(
                    'frames must be {"type": "message.send", "data": {...}}', field="type"
                )
            message = send_from(self.ctx, frame.get("data"))
            self._emit({"type": "message.sent", "data": message.as_json()}, dedupe=False)
        except TownsquareError as exc:
            self._emit({"type": "error", "data": exc.as_dict()})

    def _emit(self, payload: dict, *, dedupe: bool = True) -> None:
        uuid = (
            (payload.get("data") or {}).get("uuid")
            if payload.get("type") == "message.created"
            else None
        )
        if dedupe and uuid:
            if uuid in self.sent:
                return
            self.sent.append(uuid)
        with self.send_lock:
            try:
                self.ws.send(json.dumps(payload))
            except ConnectionClosed:
                self.open.clear()

    def _close(self, reason: str) -> None:
        self.open.clear()
        with self.send_lock, contextlib.suppress(ConnectionClosed):
            self.ws.close(reason=1008, message=reason)
