"""WebSocket trigger: GET /api/v1/stream (asyncio), live push and message.send."""

from triggers.websocket.hub import Hub, restart_all
from triggers.websocket.stream import PATH, stream

__all__ = ["PATH", "Hub", "restart_all", "stream"]
