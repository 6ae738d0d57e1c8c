"""/api/v1/stream: everything the caller may see, pushed as it happens (asyncio, ASGI).

- Auth: the bearer token (header, or ?token= for browsers, or the web session cookie),
  checked before the upgrade, so a bad token is a plain 401; the Origin must be allowed
  (Settings.allowed_origins), else 403.
- Push: the process's Hub (hub.py) holds one live-store listener for every socket; a
  socket's channels are its user, its session, each group it is an active member of
  (read once at connect, then kept by group.joined/left events) and `operators` for
  operators (anomaly.detected flags).
- Send: {"type": "message.send", "data": {...}} goes through send_from, exactly as
  POST /messages; the answer is {"type": "message.sent"} or {"type": "error"}.
- Resume: ?since=<message uuid> first replays the caller's messages after that one,
  then goes live; pushes are de-duplicated by message uuid, so nothing is missed and
  nothing doubled across the switch.
- Close codes: 1008 when the session ends (pushed on its session channel), 1009 for a
  frame past the body limit (a clean close; the server drops a frame four times
  that size outright), 1012 when the server restarts,
  1013 when the live store is unreachable or the client reads too slowly; reconnect with
  ?since= after any of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from functions.messages import send_from
from functions.messages.replay import missed
from shared import channels
from shared.context import Context
from shared.errors import Invalid, RateLimited, TownsquareError, Unavailable
from shared.jsonin import load_object
from triggers.auth.identity import BASE, authenticate, check_stream_origin
from triggers.auth.session import Handshake
from triggers.websocket.hub import Hub

PATH = BASE + "/stream"
REPLAY_LIMIT = 1000
BACKLOG = 2000  # frames queued for one socket before it counts as too slow and is closed
SEEN = 4096  # message uuids remembered per socket for de-duplication


async def stream(ws: WebSocket) -> None:
    """The ASGI endpoint; the app keeps its base Context and Hub in `app.state`."""
    base: Context = ws.app.state.base
    hub: Hub = ws.app.state.hub
    try:
        handshake = _handshake(ws, base)
        check_stream_origin(base, handshake)
        ctx = await asyncio.to_thread(authenticate, base, handshake)
    except TownsquareError as exc:
        await _refuse(ws, exc)
        return
    socket = Socket(ws, ctx, hub)
    try:
        try:
            await socket.join()  # subscribed before the client sees the upgrade: nothing missed
        except TownsquareError as exc:
            await _refuse(ws, exc)
            return
        await ws.accept()
        await socket.run(ws.query_params.get("since"))
    except TownsquareError as exc:
        await socket.close(1013 if exc.status == 503 else 1008, exc.public[:120])
    finally:
        hub.leave(socket)


async def _refuse(ws: WebSocket, exc: TownsquareError) -> None:
    """Before the upgrade: the plain HTTP error of docs/api.md."""
    response = JSONResponse({"error": exc.as_dict()}, status_code=exc.status)
    if isinstance(exc, RateLimited | Unavailable):
        response.headers["Retry-After"] = str(exc.retry_after)
    await ws.send_denial_response(response)


def _handshake(ws: WebSocket, base: Context) -> Handshake:
    scheme = "https" if ws.url.scheme == "wss" else "http"
    if base.settings.trusted_proxies:
        scheme = ws.headers.get("X-Forwarded-Proto", scheme)
    return Handshake(
        "GET",
        ws.url.path,
        f"{scheme}://{ws.headers.get('host', '')}",
        ws.headers,
        ws.query_params,
        ws.cookies,
    )


class Socket:
    """One accepted stream: a reader (frames from the client) and a writer (a queue)."""

    def __init__(self, ws: WebSocket, ctx: Context, hub: Hub) -> None:
        self.ws, self.ctx, self.hub = ws, ctx, hub
        self.user = ctx.me.uuid
        self.session = channels.session(ctx.token_hash or "")
        self.channels: set[str] = set()
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=BACKLOG)
        self.seen: set[str] = set()
        self.seen_order: deque[str] = deque()
        self.closed = False
        self.writer: asyncio.Task | None = None

    async def join(self) -> None:
        groups = await asyncio.to_thread(self.ctx.accounts.groups_of, self.user)
        names = [channels.user(self.user), self.session]
        names += [channels.group(g.uuid) for g in groups]
        if self.ctx.me.is_operator:
            names.append(channels.OPERATORS)  # anomaly.detected flags
        await self.hub.join(self, names)

    async def run(self, since: str | None) -> None:
        """Joined first, then the replay, then live: no gap between them."""
        for frame in await asyncio.to_thread(self._replay, since):
            self._remember(frame)
            await self.ws.send_text(json.dumps(frame))
        self.writer = asyncio.create_task(self._write())
        try:
            await self._read()
        finally:
            self.writer.cancel()

    def _replay(self, since: str | None) -> list[dict]:
        if not since:
            return []
        anchor = self.ctx.live.get_message(since) or self.ctx.content.get_archived_message(since)
        if anchor is None:
            error = {"code": "not_found", "field": "since"}
            error["message"] = "since names no message we still hold"
            return [{"type": "error", "data": error}]
        return [
            {"type": "message.created", "data": message.as_json()}
            for message in missed(self.ctx, self.user, after=anchor.created_at, limit=REPLAY_LIMIT)
            if message.uuid != anchor.uuid
        ]

    async def _read(self) -> None:
        while not self.closed:
            try:
                message = await self.ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text") if message.get("text") is not None else message.get("bytes")
            limit = self.ctx.settings.max_body_bytes
            if raw and len(raw if isinstance(raw, bytes) else raw.encode()) > limit:
                await self.close(1009, f"frames are at most {limit} bytes")
                return
            answer = await asyncio.to_thread(self._answer, raw or b"")
            self._enqueue(json.dumps(answer))

    def _answer(self, raw: str | bytes) -> dict:
        try:
            frame = load_object(raw, what="a frame", field="frame")
            if frame.get("type") != "message.send":
                raise Invalid(
                    'frames must be {"type": "message.send", "data": {...}}', field="type"
                )
            message = send_from(self.ctx, frame.get("data"))
            return {"type": "message.sent", "data": message.as_json()}
        except TownsquareError as exc:
            return {"type": "error", "data": exc.as_dict()}

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                await self.ws.send_text(await self.queue.get())

    # the hub's side
    def push(self, uuid: str | None, text: str) -> None:
        if uuid is None or self._first_time(uuid):
            self._enqueue(text)

    def _remember(self, frame: dict) -> None:
        uuid = (frame.get("data") or {}).get("uuid")
        if frame.get("type") == "message.created" and uuid:
            self._first_time(uuid)

    def _first_time(self, uuid: str) -> bool:
        """Record `uuid` as sent; False if it was already (the last SEEN are kept)."""
        if uuid in self.seen:
            return False
        self.seen.add(uuid)
        self.seen_order.append(uuid)
        if len(self.seen_order) > SEEN:
            self.seen.discard(self.seen_order.popleft())
        return True

    def _enqueue(self, text: str) -> None:
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.hub.spawn(self.close(1013, "reading too slowly; reconnect with ?since="))

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.hub.leave(self)
        if self.writer is not None:
            self.writer.cancel()
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.ws.close(code, reason)
