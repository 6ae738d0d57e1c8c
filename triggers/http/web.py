"""The web app at `/`: its static files, their security headers, and the cookie session.

- Files: `web/static/` at `/` and `/assets/…` (index.html, app.css, the ES modules under js/), served with
  their content types; anything else under `/` is a 404. No build step: the modules
  are the source.
- Headers on every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy`, and
  on the app's pages a strict Content-Security-Policy (scripts and styles from this
  origin only, no inline code, no framing; images also from blob: for upload previews).
- Session (see triggers/http/session.py): a login sent with `X-Townsquare-Session:
  cookie` answers `{user, expires_at, csrf}` without the token, which goes into the
  HttpOnly cookie; a logout clears both cookies.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, request, send_from_directory

from triggers.http.session import CSRF_COOKIE, SESSION_COOKIE, csrf_of

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
LOGIN, LOGOUT = "/api/v1/auth/login", "/api/v1/auth/logout"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css"}


def attach_web(app: Flask) -> None:
    app.add_url_rule("/", "web_index", lambda: _file("index.html"))
    app.add_url_rule("/assets/<path:name>", "web_static", _file)
    app.after_request(_secure)
    app.after_request(_session_cookies)


def _file(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=0)
    suffix = Path(name).suffix
    if suffix in TYPES:
        response.headers["Content-Type"] = f"{TYPES[suffix]}; charset=utf-8"
    return response


def _secure(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html" or request.path == "/":
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _session_cookies(response: Response) -> Response:
    if request.path == LOGOUT and response.status_code == 204:
        response.delete_cookie(SESSION_COOKIE, path="/", samesite="Strict", httponly=True)
        response.delete_cookie(CSRF_COOKIE, path="/", samesite="Strict")
    wants_cookie = request.headers.get("X-Townsquare-Session") == "cookie"
    if request.path == LOGIN and response.status_code == 200 and wants_cookie:
        body = json.loads(response.get_data())
        token = body.pop("token")
        body["csrf"] = csrf_of(token)
        response.set_data(json.dumps(body))
        secure = request.scheme == "https"
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/"
        )
        response.set_cookie(CSRF_COOKIE, body["csrf"], samesite="Strict", secure=secure, path="/")
    return response
