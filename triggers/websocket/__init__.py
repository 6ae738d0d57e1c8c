"""WebSocket trigger: GET /api/v1/stream, live push and message.send."""

from triggers.websocket.stream import attach_stream

__all__ = ["attach_stream"]
