"""auth: sign up, log in, log out, and `identify` — the bearer-token check every trigger uses.

Passwords are argon2id hashes. A token is 256 random bits, handed out once; only its
sha256 is stored (in live, with the token's expiry), so a leaked store leaks no token.
Logout drops it at once and tells every open stream of that session to close.

Guessing is bounded three ways: logins per account (Settings.login_attempts_per_account
per login_window) and logins and signups per network address, both answered 429 with
Retry-After; and argon2 itself, whose memory cost (64 MiB by default) would let a crowd
of anonymous requests exhaust the box, runs at most password_hash_concurrency at once per
process (503 with Retry-After past that). An unknown email costs one argon2 verify too,
against a fixed hash, so answer times do not tell which emails exist.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
import threading
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, Field, ValidationInfo, field_validator
from zxcvbn import zxcvbn

from functions.http import Body, DisplayName, Password, Request
from functions.registry import app
from shared.context import Context
from shared.errors import Conflict, RateLimited, Unauthorized, Unavailable
from shared.records import User, iso, new_uuid

SESSION_CLOSED = "session.closed"
HASH_WAIT_SECONDS = 2.0
ZXCVBN_MAX = 100  # zxcvbn's time grows fast with length; the first 100 characters decide


class Signup(Body):
    email: EmailStr
    name: DisplayName
    password: Password = Field(min_length=8)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")

    @field_validator("password")
    @classmethod
    def _hard_to_guess(cls, password: str, info: ValidationInfo) -> str:
        personal = [str(info.data.get(field, "")) for field in ("email", "name")]
        check_password_strength(password, *personal)
        return password


class Login(Body):
    email: EmailStr
    password: Password = Field(min_length=1)


def check_password_strength(password: str, *personal: str) -> None:
    """NIST 800-63B: refuse passwords found in breach lists or otherwise easy to guess.
    zxcvbn scores a password against its lists of the most common passwords (from real
    breaches), words, names and keyboard patterns, and against the person's own email and
    name; scores 0 and 1 mean guessable with at most about a million tries."""
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=list(personal))["score"] < 2:
        raise ValueError(
            "this password is too common or too easy to guess; a few unrelated words work well"
        )


@functools.cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher(ctx: Context) -> PasswordHasher:
    """argon2id with the configured cost (hashes carry their parameters, so changing the
    cost keeps old hashes verifiable)."""
    return _hasher(ctx.settings.password_time_cost, ctx.settings.password_memory_kib)


@functools.cache
def _hashing_slots(concurrency: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(concurrency)


@contextlib.contextmanager
def hashing_slot(ctx: Context):
    """Hold one of the process's argon2 slots; Unavailable when none frees up in time."""
    slots = _hashing_slots(ctx.settings.password_hash_concurrency)
    if not slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise Unavailable("too many sign-ins at once; retry shortly", retry_after=1)
    try:
        yield
    finally:
        slots.release()


@functools.cache
def _stand_in_hash(time_cost: int, memory_kib: int) -> str:
    """What an unknown email's password is checked against: same cost, never matches."""
    return _hasher(time_cost, memory_kib).hash(secrets.token_urlsafe(16))


def _limit_attempts(ctx: Context, req: Request, email: str | None = None) -> None:
    settings = ctx.settings
    if not ctx.live.hit_rate(f"auth:addr:{req.client}", settings.auth_attempts_per_address, 60):
        raise RateLimited("too many sign-in attempts from this address", retry_after=60)
    if email is not None:
        key, window = f"login:{token_hash(email)}", settings.login_window
        if not ctx.live.hit_rate(key, settings.login_attempts_per_account, window):
            raise RateLimited("too many sign-in attempts for this account", retry_after=window)


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
    _limit_attempts(ctx, req)
    email = body.email.lower()
    if ctx.accounts.find_user_by_email(email):
        raise Conflict("that email is already registered", field="email")
    user = User(
        uuid=new_uuid(), email=email, name=body.name, phone=body.phone, signup_date=ctx.clock()
    )
    with hashing_slot(ctx):
        password_hash = hasher(ctx).hash(body.password)
    user = ctx.accounts.create_user(user, password_hash)
    ctx.emit("user.signed_up", user.uuid, user.public())
    return {"user": user.as_json()}


@app.route(
    "POST", "/auth/login", auth=False, body=Login, summary="Exchange email and password for a token"
)
def login(req: Request, ctx: Context) -> dict:
    body: Login = req.body
    email = body.email.lower()
    _limit_attempts(ctx, req, email)
    user = ctx.accounts.find_user_by_email(email)
    settings = ctx.settings
    stored = (
        ctx.accounts.password_hash(user.uuid)
        if user is not None
        else _stand_in_hash(settings.password_time_cost, settings.password_memory_kib)
    )
    if not password_matches(ctx, stored, body.password) or user is None:
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


def password_matches(ctx: Context, stored: str, password: str) -> bool:
    with hashing_slot(ctx):
        try:
            return hasher(ctx).verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
