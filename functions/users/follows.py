"""PUT/DELETE /users/{uuid}/follow — the graph is the store of follows."""

from __future__ import annotations

from functions.http import Request
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid


@app.route("PUT", "/users/{uuid}/follow", status=204, summary="Follow someone")
def follow_user(req: Request, ctx: Context) -> None:
    follower, followee = _pair(req, ctx)
    if not ctx.graph.is_following(follower, followee):
        ctx.graph.follow(follower, followee)
        ctx.emit("user.followed", followee, {"follower": follower, "followee": followee})


@app.route("DELETE", "/users/{uuid}/follow", status=204, summary="Stop following someone")
def unfollow_user(req: Request, ctx: Context) -> None:
    follower, followee = _pair(req, ctx)
    if ctx.graph.is_following(follower, followee):
        ctx.graph.unfollow(follower, followee)
        ctx.emit("user.unfollowed", followee, {"follower": follower, "followee": followee})


def _pair(req: Request, ctx: Context) -> tuple[str, str]:
    """(caller, the user in the path): 400 for yourself, 404 for no such user."""
    followee = req.params["uuid"]
    if followee == ctx.me.uuid:
        raise Invalid("you cannot follow yourself", field="uuid")
    return ctx.me.uuid, ctx.accounts.get_user(followee).uuid
