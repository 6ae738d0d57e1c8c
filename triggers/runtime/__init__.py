"""The production runtime: one ASGI application per process, served by uvicorn.

- `/api/v1/stream` is native asyncio (triggers/websocket: Starlette's WebSocket and the
  process's Hub, one live-store listener for every socket).
- Every other path is the Flask gateway (triggers/http), run by a2wsgi on a thread pool.
- `Server` is uvicorn's, with one change at shutdown: it stops accepting, closes every
  socket with 1012 ("service restart; reconnect with ?since="), then drains in-flight
  HTTP for at most `timeout_graceful_shutdown` seconds.

`townsquare serve` runs N worker processes of it (`app_from_environment`), `townsquare
dev` one in a thread (`ThreadedServer`), beside the triggers.
"""

from triggers.runtime.app import app_from_environment, create_asgi
from triggers.runtime.server import Server, ThreadedServer, server_config

__all__ = ["Server", "ThreadedServer", "app_from_environment", "create_asgi", "server_config"]
