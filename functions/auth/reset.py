"""Changing a password, and resetting a forgotten one by mail.

Either way every session of the account ends (a thief's too) and its open streams close.
A change answers with a fresh token for the device that made it; a reset ends with no
session, and the person signs in again.

Reset: POST /auth/password-reset {email} always answers 202 the same way, so it tells no
one whether an account exists; when one does, a one-time code (256 random bits, kept only
as its sha256, for RESET_TTL seconds) is mailed through the mail port (the log, in
development). POST /auth/password-reset/confirm {token, new_password} spends it.
"""

from __future__ import annotations

import secrets

from pydantic import EmailStr, Field

from functions.auth import end_every_session_of, limit_attempts, start_session, token_hash
from functions.auth.passwords import check_password_strength, hash_password, password_matches
from functions.http import Body, Password, Request
from functions.registry import app
from shared.context import Context
from shared.errors import Forbidden, Invalid
from shared.records import User

RESET_TTL = 30 * 60
ACCEPTED = {"status": "if that email has an account, a reset code is on its way"}


class PasswordChange(Body):
    current_password: Password = Field(min_length=1)
    new_password: Password = Field(min_length=8)


class ResetRequest(Body):
    email: EmailStr


class ResetConfirm(Body):
    token: str = Field(min_length=20, max_length=100)
    new_password: Password = Field(min_length=8)


@app.route(
    "POST",
    "/auth/password",
    body=PasswordChange,
    summary="Change your password; every session ends and this device gets a new token",
)
def change_password(req: Request, ctx: Context) -> dict:
    body: PasswordChange = req.body
    me = ctx.me
    limit_attempts(ctx, req, me.email)
    if not password_matches(ctx, ctx.accounts.password_hash(me.uuid), body.current_password):
        raise Forbidden("the current password is wrong", field="current_password")
    _replace_password(ctx, me, body.new_password)
    return start_session(ctx, me)


@app.route(
    "POST",
    "/auth/password-reset",
    status=202,
    auth=False,
    body=ResetRequest,
    summary="Mail a one-time reset code, if the email has an account",
)
def request_password_reset(req: Request, ctx: Context) -> dict:
    email = req.body.email.lower()
    limit_attempts(ctx, req, email)
    user = ctx.accounts.find_user_by_email(email)
    if user is not None:
        code = secrets.token_urlsafe(32)
        ctx.live.put_once(f"reset:{token_hash(code)}", user.uuid, RESET_TTL)
        ctx.mail.send(
            user.email,
            "Reset your Townsquare password",
            f"Someone asked to reset the password of your Townsquare account.\n\n"
            f"Your reset code: {code}\n\nIt works once, for {RESET_TTL // 60} minutes. "
            f"If it was not you, ignore this letter: nothing changes.\n",
        )
    return ACCEPTED


@app.route(
    "POST",
    "/auth/password-reset/confirm",
    status=204,
    auth=False,
    body=ResetConfirm,
    summary="Set a new password with a reset code; every session ends",
)
def confirm_password_reset(req: Request, ctx: Context) -> None:
    body: ResetConfirm = req.body
    limit_attempts(ctx, req)
    _strong(body.new_password)  # before the code is spent
    user_uuid = ctx.live.take_once(f"reset:{token_hash(body.token)}")
    if user_uuid is None:
        raise Invalid("the reset code is unknown, used or expired", field="token")
    _replace_password(ctx, ctx.accounts.get_user(user_uuid), body.new_password)


def _strong(password: str, *personal: str) -> None:
    try:
        check_password_strength(password, *personal)
    except ValueError as exc:
        raise Invalid(str(exc), field="new_password") from None


def _replace_password(ctx: Context, user: User, password: str) -> None:
    _strong(password, user.email, user.name)
    ctx.accounts.set_password_hash(user.uuid, hash_password(ctx, password))
    end_every_session_of(ctx, user.uuid)
