"""The web app at `/`: its static files, their security headers, and the cookie session.

- Files: `web/static/` at `/` and `/assets/…` (index.html, app.css, the ES modules under js/), served with
  their content types; anything else under `/` is a 404. No build step: the modules
  are the source.
- Headers on every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy`, and
  on the app's pages a strict Content-Security-Policy (scripts and styles from this
  origin only, no inline code, no framing; images also from blob: for upload previews
  and fetched charts).
- Deployed, the same files are one more service (`web_app` in triggers/http/main.py,
  rendered into knative/ and template.yaml); the cookie session (triggers/auth/session.py)
  travels with every function, since the gateway applies it to each answer.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request, send_from_directory
from werkzeug.exceptions import NotFound

from triggers.http.errors import error_response

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
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


def web_app(flask_request=None) -> Response:
    """The web app alone, as a functions-framework target: `/` and `/assets/…`."""
    path = request.path
    if path == "/":
        return _secure(_file("index.html"))
    try:
        if path.startswith("/assets/"):
            return _secure(_file(path.removeprefix("/assets/")))
    except NotFound:
        pass
    return _secure(error_response(404, "not_found", f"the web app has no {path}"))


def _file(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=0)
    response.direct_passthrough = False  # a Lambda or test client reads the body whole
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
