"""Following: PUT/DELETE /users/{uuid}/follow, and a private account's followers.

The graph is the store of follows. An open account is followed at once. A private
account (PATCH /users/me {is_private: true}) is followed only once it approves: PUT
…/follow then answers 202 and leaves a request (accounts' follow_request) that the
account lists at GET /users/me/follow-requests, approves with PUT
/users/me/followers/{user}, and refuses with DELETE /users/me/followers/{user} — which
also removes someone who already follows. So the `followers` scope of a post means what
it says for a private account: people its author let in.
"""

from __future__ import annotations

from functions.http import Request, Response
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid, NotFound
from shared.records import iso

REQUESTED = {"status": "requested", "message": "this account approves its followers"}


@app.route(
    "PUT",
    "/users/{uuid}/follow",
    status=204,
    summary="Follow someone (202 with a request when the account approves its followers)",
)
def follow_user(req: Request, ctx: Context) -> Response | None:
    follower, followee = _pair(req, ctx)
    if ctx.graph.is_following(follower, followee):
        return None
    if ctx.accounts.get_user(followee).is_private:
        ctx.accounts.request_follow(follower, followee, ctx.clock())
        return Response(status=202, body=REQUESTED)
    _follow(ctx, follower, followee)
    return None


@app.route("DELETE", "/users/{uuid}/follow", status=204, summary="Stop following someone")
def unfollow_user(req: Request, ctx: Context) -> None:
    follower, followee = _pair(req, ctx)
    ctx.accounts.drop_follow_request(follower, followee)
    _unfollow(ctx, follower, followee)


@app.route("GET", "/users/me/follow-requests", summary="Who asks to follow you, oldest first")
def list_follow_requests(req: Request, ctx: Context) -> dict:
    waiting = ctx.accounts.follow_requests(ctx.me.uuid)
    people = {user.uuid: user for user in ctx.accounts.users([uuid for uuid, _ in waiting])}
    return {
        "items": [
            {"user": people[uuid].public(), "requested_at": iso(when)}
            for uuid, when in waiting
            if uuid in people
        ]
    }


@app.route(
    "PUT", "/users/me/followers/{user}", status=204, summary="Approve a request to follow you"
)
def approve_follower(req: Request, ctx: Context) -> None:
    follower, me = req.params["user"], ctx.me.uuid
    if ctx.graph.is_following(follower, me):
        return
    if not ctx.accounts.drop_follow_request(follower, me):
        raise NotFound("that user has not asked to follow you", field="user")
    _follow(ctx, follower, me)


@app.route(
    "DELETE",
    "/users/me/followers/{user}",
    status=204,
    summary="Refuse a request to follow you, or remove a follower",
)
def remove_follower(req: Request, ctx: Context) -> None:
    follower, me = req.params["user"], ctx.me.uuid
    ctx.accounts.drop_follow_request(follower, me)
    _unfollow(ctx, follower, me)


def _follow(ctx: Context, follower: str, followee: str) -> None:
    ctx.graph.follow(follower, followee)
    ctx.emit("user.followed", followee, {"follower": follower, "followee": followee})


def _unfollow(ctx: Context, follower: str, followee: str) -> None:
    if ctx.graph.is_following(follower, followee):
        ctx.graph.unfollow(follower, followee)
        ctx.emit("user.unfollowed", followee, {"follower": follower, "followee": followee})


def _pair(req: Request, ctx: Context) -> tuple[str, str]:
    """(caller, the user in the path): 400 for yourself, 404 for no such user."""
    followee = req.params["uuid"]
    if followee == ctx.me.uuid:
        raise Invalid("you cannot follow yourself", field="uuid")
    return ctx.me.uuid, ctx.accounts.get_user(followee).uuid
