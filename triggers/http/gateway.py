"""The HTTP gateway: every registry route under /api/v1, plus /api/v1/openapi.json,
and the web app at / (triggers/http/web.py; its cookie session: session.py).

It only translates: a Flask request becomes a functions.http.Request (path params
checked, query and body validated by the route's models, the caller identified),
and the handler's result becomes a JSON response. Errors: triggers/http/errors.py.
"""

from __future__ import annotations

import re

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from werkzeug.middleware.proxy_fix import ProxyFix

from functions.http import Request, invalid_from
from functions.http import Response as FnResponse
from functions.limits import charge_write
from functions.registry import Function, Route, load
from shared.context import Context, Services
from shared.errors import Invalid, TooLarge
from shared.jsonin import load_object
from shared.records import canonical_uuid
from triggers.auth.identity import BASE, STREAM, authenticate, check_stream_origin
from triggers.auth.session import Handshake, cookie_session
from triggers.http import logs
from triggers.http.errors import error_response, to_response
from triggers.http.openapi import PARAM_PATTERNS, UUID_PARAMS, openapi_document
from triggers.http.web import attach_web
from triggers.metrics import attach_metrics, instrumented


def create_app(services: Services) -> Flask:
    registry = load()
    app = Flask("townsquare")
    # one byte over the largest limit: a chunked body is cut there, so _body() can tell a
    # body of exactly the limit from a longer one (werkzeug cuts silently at the limit)
    app.config["MAX_CONTENT_LENGTH"] = (
        max(services.settings.max_body_bytes, services.settings.max_media_bytes) + 1
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["townsquare"] = services
    base = Context(services=services)

    for function, route in registry.routes():
        view = _view(function, route, base)
        app.add_url_rule(
            BASE + _flask_path(route.path),
            f"{function.name}:{route.method}",
            view,
            methods=[route.method],
            provide_automatic_options=False,  # OPTIONS is a JSON 405, like any other method
        )

    app.add_url_rule(STREAM, "stream", lambda: _stream_without_upgrade(base))
    spec = openapi_document(registry)
    app.add_url_rule(BASE + "/openapi.json", "openapi", lambda: jsonify(spec))
    attach_metrics(app, services, BASE, spec)
    app.register_error_handler(Exception, to_response)
    app.after_request(_protective_headers)
    logs.install()
    if services.settings.trusted_proxies:
        hops = services.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    attach_web(app)
    return app


def _stream_without_upgrade(base: Context) -> Response:
    """The stream is served by the ASGI runtime (triggers/runtime); a plain GET gets the
    same caller checks as an upgrade, then 426."""
    handshake = Handshake.from_flask()
    check_stream_origin(base, handshake)
    authenticate(base, handshake)
    response = error_response(426, "upgrade_required", "the stream speaks WebSocket only")
    response.headers["Upgrade"] = "websocket"
    return response


def _protective_headers(response: Response) -> Response:
    """Every answer: never sniffed into another type, and not kept by shared caches unless
    its handler said otherwise (answers carry private data and, on login, tokens)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _flask_path(path: str) -> str:
    return re.sub(r"{(\w+)}", r"<\1>", path)


def _view(function: Function, route: Route, base: Context):
    def view(**params: str) -> Response:
        return invoke(function, route, base, params)

    return view


def invoke(function: Function, route: Route, base: Context, params: dict[str, str]) -> Response:
    """Run one HTTP function for the current Flask request."""
    with instrumented(base.services, function.name, "http"):
        return _run(function, route, base, params)


def _run(function: Function, route: Route, base: Context, params: dict[str, str]) -> Response:
    ctx = authenticate(base) if route.auth else base
    if route.method not in ("GET", "HEAD") and ctx.caller is not None:
        charge_write(ctx)
    req = Request(
        method=route.method,
        path=request.path,
        params=_check_params(params),
        query=_parse_query(route),
        body=_parse_body(route, ctx),
        raw=_body(route, ctx) if route.raw_body else b"",
        content_type=request.content_type,
        headers=dict(request.headers),
        client=request.remote_addr or "",
    )
    return cookie_session(route.path, _respond(route, function.handler(req, ctx)))


def _check_params(params: dict[str, str]) -> dict[str, str]:
    for name, value in params.items():
        if name in UUID_PARAMS:
            params[name] = canonical_uuid(value, name, where=f"{name} in the path")
        elif name in PARAM_PATTERNS and not re.fullmatch(PARAM_PATTERNS[name], value):
            raise Invalid(f"{name} in the path must match {PARAM_PATTERNS[name]}", field=name)
    return params


def _parse_query(route: Route):
    if route.query is None:
        return None
    try:
        return route.query.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise invalid_from(exc, "query") from None


def _body(route: Route, ctx: Context, *, read: bool = True) -> bytes:
    """The request's bytes; TooLarge past the route's limit, declared or streamed (chunked)."""
    limit = ctx.settings.max_media_bytes if route.raw_body else ctx.settings.max_body_bytes
    if (request.content_length or 0) > limit:
        raise TooLarge(f"the body is larger than {limit} bytes")
    raw = request.get_data(cache=True) if read else b""
    if len(raw) > limit:
        raise TooLarge(f"the body is larger than {limit} bytes")
    return raw


def _parse_body(route: Route, ctx: Context):
    raw = _body(route, ctx, read=route.body is not None)
    if route.body is None:
        return None
    data = load_object(raw) if raw.strip() else {}
    try:
        return route.body.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc, "body") from None


def _respond(route: Route, result) -> Response:
    if isinstance(result, FnResponse):
        if result.raw is not None:
            response = Response(result.raw, status=result.status, content_type=result.content_type)
        else:
            response = jsonify(result.body) if result.body is not None else Response(status=204)
            response.status_code = result.status
        response.headers.update(result.headers)
        return response
    if result is None:
        return Response(status=204)
    response = jsonify(result)
    response.status_code = route.status
    return response
