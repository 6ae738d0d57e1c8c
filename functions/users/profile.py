"""GET/PATCH /users/me, GET /users/{uuid}, and keeping users' search documents current."""

from __future__ import annotations

from pydantic import Field

from functions.http import Body, DisplayName, Request
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid
from shared.records import SearchDoc, User

from .subjects import uuid_in

PHONE = r"^\+?[0-9 ()-]{3,32}$"


class ProfileChange(Body):
    """Only the fields given change; at least one must be given."""

    name: DisplayName | None = None
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE)
    is_private: bool | None = Field(default=None, strict=True)  # followers need approval


@app.route("GET", "/users/me", summary="Your own profile, with email and phone")
def get_me(req: Request, ctx: Context) -> dict:
    return {"user": ctx.me.as_json()}


@app.route(
    "PATCH",
    "/users/me",
    body=ProfileChange,
    summary="Change your name, phone, or whether followers need your approval",
)
def update_me(req: Request, ctx: Context) -> dict:
    change: ProfileChange = req.body
    if change.name is None and change.phone is None and change.is_private is None:
        raise Invalid("give at least one of name, phone, is_private", field="body")
    user = ctx.accounts.update_user(
        ctx.me.uuid, name=change.name, phone=change.phone, is_private=change.is_private
    )
    ctx.emit("user.updated", user.uuid, user.public())
    return {"user": user.as_json()}


@app.route("GET", "/users/{uuid}", summary="Someone's public profile and follow counts")
def get_user_profile(req: Request, ctx: Context) -> dict:
    user = ctx.accounts.get_user(req.params["uuid"])
    return {"user": public_profile(user, ctx)}


def public_profile(user: User, ctx: Context) -> dict:
    followers = ctx.graph.followers(user.uuid)
    return {
        **user.public(),
        "followers": len(followers),
        "following": len(ctx.graph.following(user.uuid)),
        "followed_by_me": ctx.caller is not None and ctx.me.uuid in followers,
    }


@app.on_event("user.signed_up")
@app.on_event("user.updated")
def index_user_for_search(event, ctx: Context) -> None:
    """(Re-)index the user named by the event's subject as a public "users" document."""
    ctx.search.index(user_doc(ctx.accounts.get_user(uuid_in(event, "subject"))))


def user_doc(user: User) -> SearchDoc:
    """A person's search document: their name, public."""
    return SearchDoc(
        type="users",
        uuid=user.uuid,
        title=user.name,
        text=user.name,
        visibility=("public",),
        created_at=user.signup_date,
    )
