"""auth: sign up, log in, log out, and `identify` — the bearer-token check every trigger uses.

Passwords are argon2id hashes. A token is 256 random bits, handed out once; only its
sha256 is stored (in live, with the token's expiry), so a leaked store leaks no token.
Logout drops it at once and tells every open stream of that session to close.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, Field

from functions.http import Body, Request
from functions.registry import app
from shared.context import Context
from shared.errors import Conflict, Unauthorized
from shared.records import User, iso, new_uuid

SESSION_CLOSED = "session.closed"


class Signup(Body):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=200)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")


class Login(Body):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


@functools.cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher(ctx: Context) -> PasswordHasher:
    """argon2id with the configured cost (hashes carry their parameters, so changing the
    cost keeps old hashes verifiable)."""
    return _hasher(ctx.settings.password_time_cost, ctx.settings.password_memory_kib)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def identify(token: str | None, ctx: Context) -> tuple[User, str]:
    """(user, token hash) for a live token; Unauthorized otherwise."""
    if not token:
        raise Unauthorized("missing bearer token: send Authorization: Bearer <token>")
    digest = token_hash(token)
    user_uuid = ctx.live.session_user(digest)
    if user_uuid is None:
        raise Unauthorized("the token is unknown, expired or logged out")
    return ctx.accounts.get_user(user_uuid), digest


@app.route("POST", "/auth/signup", status=201, auth=False, body=Signup, summary="Create an account")
def signup(req: Request, ctx: Context) -> dict:
    body: Signup = req.body
    email = body.email.lower()
    if ctx.accounts.find_user_by_email(email):
        raise Conflict("that email is already registered", field="email")
    user = User(
        uuid=new_uuid(), email=email, name=body.name, phone=body.phone, signup_date=ctx.clock()
    )
    user = ctx.accounts.create_user(user, hasher(ctx).hash(body.password))
    ctx.emit("user.signed_up", user.uuid, user.public())
    return {"user": user.as_json()}


@app.route(
    "POST", "/auth/login", auth=False, body=Login, summary="Exchange email and password for a token"
)
def login(req: Request, ctx: Context) -> dict:
    body: Login = req.body
    user = ctx.accounts.find_user_by_email(body.email.lower())
    if user is None or not _password_matches(ctx, ctx.accounts.password_hash(user.uuid), body.password):
        raise Unauthorized("wrong email or password")
    token = secrets.token_urlsafe(32)
    ttl = ctx.settings.token_ttl
    now = ctx.clock()
    ctx.live.put_session(token_hash(token), user.uuid, ttl)
    ctx.accounts.record_login(user.uuid, now)
    user = user.replace(last_logged_in=now)
    return {"token": token, "expires_at": iso(now + timedelta(seconds=ttl)), "user": user.as_json()}


@app.route("POST", "/auth/logout", status=204, summary="Revoke the token used for this call")
def logout(req: Request, ctx: Context) -> None:
    ctx.live.drop_session(ctx.token_hash or "")
    ctx.live.publish(f"session:{ctx.token_hash}", {"type": SESSION_CLOSED})


def _password_matches(ctx: Context, stored: str, password: str) -> bool:
    try:
        return hasher(ctx).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
