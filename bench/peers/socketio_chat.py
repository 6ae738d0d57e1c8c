"""The python-socketio peer of B1: an ASGI Socket.IO server with its Redis manager, so that
several processes share rooms through Redis pub/sub, as a chat builder would deploy it.

    uvicorn bench.peers.socketio_chat:app --workers N     (BENCH_REDIS_URL: the Redis)

A client `call("join", room)`s (acknowledged once it is in the room); `emit("send",
{"room", "text"})` emits "message" with the same payload to everyone in the room.
"""

from __future__ import annotations

import os

import socketio

manager = socketio.AsyncRedisManager(
    os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
    channel=os.environ.get("BENCH_SOCKETIO_CHANNEL", "bench-socketio"),
)
sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins="*")
app = socketio.ASGIApp(sio)


@sio.event
async def join(sid, room):
    await sio.enter_room(sid, room)
    return "joined"


@sio.event
async def send(sid, data):
    await sio.emit("message", data, room=data["room"])
