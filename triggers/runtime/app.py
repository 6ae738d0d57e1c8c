"""The ASGI application: the stream natively, everything else through the Flask gateway."""

from __future__ import annotations

import contextlib

from a2wsgi import WSGIMiddleware
from starlette.applications import Starlette
from starlette.routing import Mount, WebSocketRoute

from shared.context import Context, Services
from shared.settings import Settings
from triggers.http import create_app
from triggers.websocket import PATH, Hub, stream


def create_asgi(services: Services, *, close_services: bool = False) -> Starlette:
    """The app for `services`; `close_services`: the app owns them (a worker process)."""
    flask = create_app(services)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await app.state.hub.start()
        try:
            yield
        finally:
            await app.state.hub.stop()
            if close_services:
                services.close()

    app = Starlette(
        routes=[
            WebSocketRoute(PATH, stream),
            Mount(
                "/",
                WSGIMiddleware(_input_terminated(flask), workers=services.settings.http_threads),
            ),
        ],
        lifespan=lifespan,
    )
    app.state.base = Context(services=services)
    app.state.hub = Hub(services.live)
    app.state.flask = flask
    return app


def app_from_environment() -> Starlette:
    """uvicorn's factory in each worker process: settings from TOWNSQUARE_* variables."""
    return create_asgi(Services(Settings()), close_services=True)


def _input_terminated(wsgi):
    """uvicorn has already taken a chunked body apart, and the WSGI input ends where the body
    ends: say so, or werkzeug reads a body sent without Content-Length as empty."""

    def app(environ, start_response):
        environ["wsgi.input_terminated"] = True
        return wsgi(environ, start_response)

    return app
