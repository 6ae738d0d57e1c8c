"""auth: sign up, log in, log out, and `identify` — the bearer-token check every trigger uses.

Passwords are argon2id hashes. A token is 256 random bits, handed out once; only its
sha256 is stored (in live, with the token's expiry), so a leaked store leaks no token.
Logout drops it at once and tells every open stream of that session to close.

The session also keeps a snapshot of the user record as of sign-in (login, password
change). `identify` reads the user from accounts whenever it can, so a revoked operator
or a renamed user is current; only while accounts is unavailable does it answer from the
snapshot, so calls that need no accounts keep working through a PostgreSQL outage.
Sessions begun before snapshots existed have none: they need accounts, as before.

Guessing is bounded: logins per account (Settings.login_attempts_per_account per
login_window) and sign-in attempts per network address are answered 429 with Retry-After;
argon2 itself is bounded per process (passwords.py). Sessions (list, end one, end all)
are sessions.py; password change and reset are reset.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import timedelta

from pydantic import EmailStr, Field, ValidationInfo, field_validator

from functions.auth.passwords import (
    check_password_strength,
    hash_password,
    password_matches,
    stand_in_hash,
)
from functions.http import Body, DisplayName, Password, Request
from functions.registry import app
from shared import channels
from shared.context import Context
from shared.errors import Conflict, RateLimited, Unauthorized, Unavailable
from shared.records import User, iso, new_uuid, parse_time

SESSION_CLOSED = "session.closed"


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
    try:
        return ctx.accounts.get_user(user_uuid), digest
    except Unavailable:
        snapshot = ctx.live.session_snapshot(digest)
        if snapshot is None or snapshot.get("uuid") != user_uuid:
            raise
        return user_from_snapshot(snapshot), digest


USER_FIELDS = {field.name for field in dataclasses.fields(User)}
USER_TIMES = ("signup_date", "last_logged_in")


def user_from_snapshot(snapshot: dict) -> User:
    """The User a session's snapshot (User.as_json()) holds."""
    fields = {name: value for name, value in snapshot.items() if name in USER_FIELDS}
    for name in USER_TIMES:
        if fields.get(name) is not None:
            fields[name] = parse_time(fields[name])
    return User(**fields)


def limit_attempts(ctx: Context, req: Request, email: str | None = None) -> None:
    """Count a sign-in attempt from req's address, and for `email` when given; 429 past either."""
    settings = ctx.settings
    if not ctx.live.hit_rate(f"auth:addr:{req.client}", settings.auth_attempts_per_address, 60):
        raise RateLimited("too many sign-in attempts from this address", retry_after=60)
    if email is not None:
        key, window = f"login:{token_hash(email)}", settings.login_window
        if not ctx.live.hit_rate(key, settings.login_attempts_per_account, window):
            raise RateLimited("too many sign-in attempts for this account", retry_after=window)


@app.route("POST", "/auth/signup", status=201, auth=False, body=Signup, summary="Create an account")
def signup(req: Request, ctx: Context) -> dict:
    body: Signup = req.body
    limit_attempts(ctx, req)
    email = body.email.lower()
    if ctx.accounts.find_user_by_email(email):
        raise Conflict("that email is already registered", field="email")
    user = User(
        uuid=new_uuid(), email=email, name=body.name, phone=body.phone, signup_date=ctx.clock()
    )
    user = ctx.accounts.create_user(user, hash_password(ctx, body.password))
    ctx.emit("user.signed_up", user.uuid, user.public())
    return {"user": user.as_json()}


@app.route(
    "POST", "/auth/login", auth=False, body=Login, summary="Exchange email and password for a token"
)
def login(req: Request, ctx: Context) -> dict:
    body: Login = req.body
    email = body.email.lower()
    limit_attempts(ctx, req, email)
    user = ctx.accounts.find_user_by_email(email)
    stored = ctx.accounts.password_hash(user.uuid) if user is not None else stand_in_hash(ctx)
    if not password_matches(ctx, stored, body.password) or user is None:
        _announce_failed_login(ctx, user, email)
        raise Unauthorized("wrong email or password")
    return start_session(ctx, user)


def start_session(ctx: Context, user: User) -> dict:
    """A new token for `user`: {token, expires_at, user}, the answer of every sign-in."""
    token = secrets.token_urlsafe(32)
    ttl = ctx.settings.token_ttl
    now = ctx.clock()
    user = user.replace(last_logged_in=now)
    ctx.live.put_session(token_hash(token), user.uuid, ttl, snapshot=user.as_json())
    ctx.accounts.record_login(user.uuid, now)
    return {"token": token, "expires_at": iso(now + timedelta(seconds=ttl)), "user": user.as_json()}


def end_sessions(ctx: Context, token_hashes: list[str]) -> None:
    """End these sessions now, and tell their open streams to close."""
    for digest in token_hashes:
        ctx.live.drop_session(digest)
    _close_streams(ctx, token_hashes)


def end_every_session_of(ctx: Context, user_uuid: str) -> None:
    """End every session of the user (the live store drops them in one step)."""
    _close_streams(ctx, ctx.live.drop_user_sessions(user_uuid))


def _close_streams(ctx: Context, token_hashes: list[str]) -> None:
    for digest in token_hashes:
        ctx.live.publish(channels.session(digest), {"type": SESSION_CLOSED})


@app.route("POST", "/auth/logout", status=204, summary="Revoke the token used for this call")
def logout(req: Request, ctx: Context) -> None:
    end_sessions(ctx, [ctx.token_hash or ""])


def _announce_failed_login(ctx: Context, user: User | None, email: str) -> None:
    """`user.login_failed` names the account by uuid, or by a hash of an unknown email:
    never the email in clear, never the password."""
    digest = token_hash(email.strip().lower())[:32]
    account = user.uuid if user else f"email:{digest}"
    ctx.emit("user.login_failed", account, {"account": account})
