"""The floor of B1s: a bare asyncio `websockets` server that holds every socket open and
does nothing else. `python -m bench.peers.bare_ws PORT`; any HTTP GET that is not an
upgrade answers 200 (the ready check)."""

from __future__ import annotations

import asyncio
import http
import sys

from websockets.asyncio.server import serve


async def hold(ws) -> None:
    await ws.wait_closed()


def ready(connection, request):
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return connection.respond(http.HTTPStatus.OK, "ready\n")
    return None


async def main(port: int) -> None:
    async with serve(hold, "127.0.0.1", port, process_request=ready, max_queue=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
