"""The browser's session: the login token in an HttpOnly cookie, guarded against CSRF.

Apps send `Authorization: Bearer <token>`; the web app never sees its token at all.
A login made with the header `X-Townsquare-Session: cookie` answers `{user, expires_at,
csrf}` without the token and sets two cookies instead (`cookie_session`, which the gateway
applies to every function's answer, in `townsquare dev` and deployed alike):

- `ts_session`: the token; HttpOnly (no script can read it), SameSite=Strict, Path=/.
- `ts_csrf`: sha256("csrf:" + token), readable by the app's own script, which echoes it
  in `X-CSRF-Token` on every call that changes something (double submit). It grants
  nothing by itself and cannot be turned back into the token.

A call authenticated by the cookie must also come from the app's own origin: an
`Origin` header, when the browser sends one (always on WebSocket upgrades and on
writes), must be the gateway's own origin or one listed in `allowed_origins` (not "*").
This module sits below the gateway and the stream; it imports neither.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Response, request

from shared.errors import Forbidden

SESSION_COOKIE = "ts_session"
CSRF_COOKIE = "ts_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# answers that hand out a token (login, password change), and ends of every session here
STARTS = {"/auth/login", "/auth/password"}
ENDS = {"/auth/logout", "/auth/sessions"}


@dataclass(frozen=True)
class Handshake:
    """What authentication reads of a request, whichever server received it."""

    method: str
    path: str
    own_origin: str  # scheme://host this server answers on
    headers: Mapping[str, str]  # case-insensitive (werkzeug's and Starlette's both are)
    query: Mapping[str, str]
    cookies: Mapping[str, str]

    @classmethod
    def from_flask(cls) -> Handshake:
        return cls(
            request.method,
            request.path,
            request.host_url.rstrip("/"),
            request.headers,
            request.args,
            request.cookies,
        )


def csrf_of(token: str) -> str:
    return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()


def cookie_token(allowed_origins: str, handshake: Handshake) -> str:
    """The session cookie's token for this request, once its origin and CSRF header
    are checked; "" when the request carries no session cookie."""
    token = handshake.cookies.get(SESSION_COOKIE, "")
    if not token:
        return ""
    _check_origin(allowed_origins, handshake)
    if handshake.method not in SAFE_METHODS:
        sent = handshake.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_of(token).encode()):
            raise Forbidden(
                f"a call signed in by cookie must echo the {CSRF_COOKIE} cookie in {CSRF_HEADER}",
                field=CSRF_HEADER,
            )
    return token


def _check_origin(allowed_origins: str, handshake: Handshake) -> None:
    origin = handshake.headers.get("Origin")
    if origin is None:
        return
    listed = {o.strip() for o in allowed_origins.split(",") if o.strip() not in ("", "*")}
    if origin != handshake.own_origin and origin not in listed:
        raise Forbidden(f"Origin {origin!r} may not use the web session", field="Origin")


def cookie_session(route_path: str, response: Response) -> Response:
    """A cookie login (or password change) moves its token into the cookies; a logout
    (or "log out everywhere") clears them."""
    if route_path in ENDS and response.status_code == 204:
        response.delete_cookie(SESSION_COOKIE, path="/", samesite="Strict", httponly=True)
        response.delete_cookie(CSRF_COOKIE, path="/", samesite="Strict")
    wants_cookie = request.headers.get("X-Townsquare-Session") == "cookie"
    if route_path in STARTS and response.status_code == 200 and wants_cookie:
        body = json.loads(response.get_data())
        token = body.pop("token")
        body["csrf"] = csrf_of(token)
        response.set_data(json.dumps(body))
        secure = request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https"
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/"
        )
        response.set_cookie(CSRF_COOKIE, body["csrf"], samesite="Strict", secure=secure, path="/")
    return response
