"""The floor of B1s: a bare asyncio `websockets` server that holds every socket open and
does nothing else, but broadcast. `python -m bench.peers.bare_ws PORT`; `GET
/broadcast/<text>` sends every open socket a frame shaped like Townsquare's
`{"type": "message.created", "data": {"text": <text>}}`; any other HTTP GET that is not an
upgrade answers 200 (the ready check)."""

from __future__ import annotations

import asyncio
import http
import json
import sys
import urllib.parse

from websockets.asyncio.server import broadcast, serve

OPEN: set = set()
BROADCAST = "/broadcast/"


async def hold(ws) -> None:
    OPEN.add(ws)
    try:
        await ws.wait_closed()
    finally:
        OPEN.discard(ws)


def answer(connection, request):
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return None
    if request.path.startswith(BROADCAST):
        text = urllib.parse.unquote(request.path.removeprefix(BROADCAST))
        broadcast(OPEN, json.dumps({"type": "message.created", "data": {"text": text}}))
    return connection.respond(http.HTTPStatus.OK, "ready\n")


async def main(port: int) -> None:
    async with serve(hold, "127.0.0.1", port, process_request=answer, max_queue=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
