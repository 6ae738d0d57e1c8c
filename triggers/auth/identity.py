"""Who is calling: the one place a request's credentials become a caller, for the HTTP
gateway and the WebSocket stream alike (it imports neither of them).

A bearer token in `Authorization`; for the stream only, `?token=` (browsers cannot set a
header on a WebSocket); otherwise the web app's session cookie (triggers/auth/session.py,
which checks its origin and CSRF header).
"""

from __future__ import annotations

from flask import request

from functions import auth
from shared.context import Context
from triggers.auth.session import cookie_token

BASE = "/api/v1"
STREAM = BASE + "/stream"


def authenticate(base: Context) -> Context:
    """`base` as the caller of the current request; Unauthorized without a live token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = request.args.get("token", "") if request.path == STREAM else ""
        token = token or cookie_token(base.settings.allowed_origins)
    user, digest = auth.identify(token.strip() or None, base)
    return base.as_caller(user, digest)
