"""Comment on, react to and share a post the caller can see.

Whoever may see a post may engage with it. Reactions are one per (user, code):
PUT twice keeps one and announces it once; DELETE of an absent reaction is a no-op.
Events are keyed by the post, so one post's engagement stays in order on the bus.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import post_tokens, visible_post
from shared.context import Context
from shared.errors import Forbidden
from shared.records import Comment, Reaction, Share, new_uuid


class NewComment(Body):
    text: str = Field(min_length=1, max_length=2_000)


class NewShare(Body):
    scope: Literal["public", "followers"]
    comment: str | None = Field(default=None, max_length=2_000)


@app.route(
    "POST", "/posts/{uuid}/comments", status=201, body=NewComment, summary="Comment on a post"
)
def comment_on_post(req: Request, ctx: Context) -> dict:
    post = visible_post(req.params["uuid"], ctx)
    comment = Comment(
        uuid=new_uuid(),
        post_uuid=post.uuid,
        user_uuid=ctx.me.uuid,
        text=req.body.text,
        created_at=ctx.clock(),
    )
    ctx.content.add_comment(comment)
    ctx.emit("comment.created", comment.uuid, comment.as_json(), key=post.uuid)
    return {"comment": comment.as_json()}


@app.route("PUT", "/posts/{uuid}/reactions/{code}", status=204, summary="React to a post")
def react_to_post(req: Request, ctx: Context) -> None:
    post = visible_post(req.params["uuid"], ctx)
    reaction = Reaction(
        post_uuid=post.uuid, user_uuid=ctx.me.uuid, code=req.params["code"], created_at=ctx.clock()
    )
    if ctx.content.put_reaction(reaction):
        ctx.emit("reaction.added", post.uuid, reaction.as_json())


@app.route("DELETE", "/posts/{uuid}/reactions/{code}", status=204, summary="Take a reaction back")
def remove_reaction(req: Request, ctx: Context) -> None:
    post = visible_post(req.params["uuid"], ctx)
    code = req.params["code"]
    if ctx.content.delete_reaction(post.uuid, ctx.me.uuid, code):
        data = {"post_uuid": post.uuid, "user_uuid": ctx.me.uuid, "code": code}
        ctx.emit("reaction.removed", post.uuid, data)


@app.route("POST", "/posts/{uuid}/shares", status=201, body=NewShare, summary="Share a post")
def share_post(req: Request, ctx: Context) -> dict:
    body: NewShare = req.body
    post = visible_post(req.params["uuid"], ctx)
    if body.scope == "public" and post_tokens(post, ctx) != ("public",):
        raise Forbidden(
            "only a public post can be shared publicly; share it with scope 'followers'",
            field="scope",
        )
    share = Share(
        uuid=new_uuid(),
        post_uuid=post.uuid,
        author_uuid=post.author_uuid,
        user_uuid=ctx.me.uuid,
        scope=body.scope,
        comment=body.comment or None,
        created_at=ctx.clock(),
    )
    ctx.content.put_share(share)
    ctx.emit("share.created", share.uuid, share.as_json(), key=post.uuid)
    return {"share": share.as_json()}
