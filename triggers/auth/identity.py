"""Who is calling: the one place a request's credentials become a caller, for the HTTP
gateway and the WebSocket stream alike (it imports neither of them).

A bearer token in `Authorization`; for the stream only, `?token=` (browsers cannot set a
header on a WebSocket); otherwise the web app's session cookie (triggers/auth/session.py,
which checks its origin and CSRF header).

Each transport describes its request as a `Handshake` (the gateway from Flask's request,
the stream from its ASGI WebSocket scope), so nothing here needs either server.
"""

from __future__ import annotations

from functions import auth
from shared.context import Context
from shared.errors import Forbidden
from triggers.auth.session import Handshake, cookie_token

BASE = "/api/v1"
STREAM = BASE + "/stream"


def authenticate(base: Context, handshake: Handshake | None = None) -> Context:
    """`base` as the caller of `handshake` (default: the current Flask request);
    Unauthorized without a live token."""
    request = handshake or Handshake.from_flask()
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = request.query.get("token", "") if request.path == STREAM else ""
        token = token or cookie_token(base.settings.allowed_origins, request)
    user, digest = auth.identify(token.strip() or None, base)
    return base.as_caller(user, digest)


def check_stream_origin(base: Context, handshake: Handshake) -> None:
    """A browser page may open a stream from this server's own origin, or from one listed in
    Settings.allowed_origins ("*": any). Clients that send no Origin (apps) are not browsers."""
    allowed = [o.strip() for o in base.settings.allowed_origins.split(",") if o.strip()]
    allowed.append(handshake.own_origin)
    origin = handshake.headers.get("Origin")
    if origin and "*" not in allowed and origin not in allowed:
        raise Forbidden(f"Origin {origin!r} may not open a stream", field="Origin")
