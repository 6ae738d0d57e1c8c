"""The HTTP gateway: every registry route under /api/v1, plus /api/v1/openapi.json,
and the web app at / (triggers/http/web.py; its cookie session: session.py).

It only translates: a Flask request becomes a functions.http.Request (path params
checked, query and body validated by the route's models, the caller identified),
and the handler's result becomes a JSON response. Errors: triggers/http/errors.py.
"""

from __future__ import annotations

import json
import re
import uuid

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError

from functions import auth
from functions.http import Request
from functions.http import Response as FnResponse
from functions.registry import Function, Route, load
from shared.context import Context, Services
from shared.errors import Invalid, RateLimited, TooLarge
from triggers.http.errors import from_validation, to_response
from triggers.http.openapi import openapi_document
from triggers.http.session import cookie_session, cookie_token
from triggers.http.web import attach_web

BASE = "/api/v1"
UUID_PARAMS = {"uuid", "user", "group"}
PARAM_PATTERNS = {
    "code": r"[a-z0-9_+-]{1,32}",
    "kind": r"[a-z]{1,32}",
    "name": r"[a-z0-9_.-]{1,64}",
}


def create_app(services: Services) -> Flask:
    registry = load()
    app = Flask("townsquare")
    app.config["MAX_CONTENT_LENGTH"] = max(
        services.settings.max_body_bytes, services.settings.max_media_bytes
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
        )

    from triggers.websocket import attach_stream  # the stream reuses this module's auth

    attach_stream(app, base)
    spec = openapi_document(registry)
    app.add_url_rule(BASE + "/openapi.json", "openapi", lambda: jsonify(spec))
    app.register_error_handler(Exception, to_response)
    attach_web(app)
    return app


def _flask_path(path: str) -> str:
    return re.sub(r"{(\w+)}", r"<\1>", path)


def _view(function: Function, route: Route, base: Context):
    def view(**params: str) -> Response:
        return invoke(function, route, base, params)

    return view


def invoke(function: Function, route: Route, base: Context, params: dict[str, str]) -> Response:
    """Run one HTTP function for the current Flask request."""
    ctx = authenticate(base) if route.auth else base
    if route.method not in ("GET", "HEAD") and ctx.caller is not None:
        _limit_rate(ctx)
    req = Request(
        method=route.method,
        path=request.path,
        params=_check_params(params),
        query=_parse_query(route),
        body=_parse_body(route, ctx),
        raw=request.get_data(cache=True) if route.raw_body else b"",
        content_type=request.content_type,
        headers=dict(request.headers),
    )
    return cookie_session(route.path, _respond(route, function.handler(req, ctx)))


def authenticate(base: Context) -> Context:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = request.args.get("token", "") if request.path.endswith("/stream") else ""
        token = token or cookie_token(base.settings.allowed_origins)
    user, digest = auth.identify(token.strip() or None, base)
    return base.as_caller(user, digest)


def _limit_rate(ctx: Context) -> None:
    limit = ctx.settings.write_rate_per_minute
    if not ctx.live.hit_rate(f"writes:{ctx.me.uuid}", limit, 60):
        raise RateLimited(f"more than {limit} writes a minute; slow down", retry_after=60)


def _check_params(params: dict[str, str]) -> dict[str, str]:
    for name, value in params.items():
        if name in UUID_PARAMS:
            try:
                params[name] = str(uuid.UUID(value))
            except ValueError:
                raise Invalid(
                    f"{name} in the path must be a UUID, got {value!r}", field=name
                ) from None
        elif name in PARAM_PATTERNS and not re.fullmatch(PARAM_PATTERNS[name], value):
            raise Invalid(f"{name} in the path must match {PARAM_PATTERNS[name]}", field=name)
    return params


def _parse_query(route: Route):
    if route.query is None:
        return None
    try:
        return route.query.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise from_validation(exc, "query") from None


def _parse_body(route: Route, ctx: Context):
    limit = ctx.settings.max_media_bytes if route.raw_body else ctx.settings.max_body_bytes
    if (request.content_length or 0) > limit:
        raise TooLarge(f"the body is larger than {limit} bytes")
    if route.body is None:
        return None
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise TooLarge(f"the body is larger than {limit} bytes")
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"the body is not valid JSON: {exc}", field="body") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", field="body")
    try:
        return route.body.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, "body") from None


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
