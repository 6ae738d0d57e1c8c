"""GET /posts/{uuid}: one post with its comments, reactions and counts — if the caller may see it."""

from __future__ import annotations

from collections import Counter

from functions.http import Request
from functions.registry import app
from functions.visibility import visible_post
from shared.context import Context

COMMENTS_SHOWN = 100


@app.route("GET", "/posts/{uuid}", summary="Read a post with its comments and reactions")
def read_post(req: Request, ctx: Context) -> dict:
    post = visible_post(req.params["uuid"], ctx)
    comments = ctx.content.comments(post.uuid, limit=COMMENTS_SHOWN)
    reactions = ctx.content.reactions(post.uuid)
    body = post.as_json()
    body["comments"] = [comment.as_json() for comment in comments]
    body["reactions"] = [reaction.as_json() for reaction in reactions]
    body["reaction_summary"] = dict(Counter(reaction.code for reaction in reactions).most_common())
    body["my_reactions"] = sorted(r.code for r in reactions if r.user_uuid == ctx.me.uuid)
    return {"post": body}
