"""health: is every backend answering? 200 when all are, 503 naming the ones that are not.
And liveness: does the process serve at all (no backend asked: what a probe and the load
benchmarks' trivial endpoint need)."""

from __future__ import annotations

from functions.http import Request, Response
from functions.registry import app
from shared.context import Context


@app.route("GET", "/health", auth=False, summary="Report each backend's state")
def health(req: Request, ctx: Context) -> Response:
    backends = ctx.services.health()
    healthy = all(state == "ok" for state in backends.values())
    body = {"status": "ok" if healthy else "degraded", "backends": backends}
    return Response(
        status=200 if healthy else 503, body=body, headers={} if healthy else {"Retry-After": "5"}
    )


@app.route(
    "GET", "/health/live", auth=False, summary="Say that the process serves (asks no backend)"
)
def liveness(req: Request, ctx: Context) -> Response:
    return Response(status=200, body={"status": "ok"})
