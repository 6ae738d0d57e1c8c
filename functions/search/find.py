"""GET /search?q=&type=posts|users|groups&limit= — best first, only what the caller may see."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import caller_tokens, can_see_post, group_is_visible
from shared.context import Context
from shared.errors import NotFound
from shared.records import SearchHit

OVERFETCH = 2  # hits dropped by the re-check must not leave the page short


class SearchQuery(Body):
    q: str = Field(
        min_length=1,
        max_length=10_000,
        description="free text in any script; operators, quotes and wildcards are matched as "
        "words, and only the first 256 characters count",
    )
    type: Literal["posts", "users", "groups"] = "posts"
    limit: int = Field(default=20, ge=1, le=50)


@app.route("GET", "/search", query=SearchQuery, summary="Search posts, users or groups")
def run_search(req: Request, ctx: Context) -> dict:
    query: SearchQuery = req.query
    hits = ctx.search.query(
        query.q, types=[query.type], visible_to=caller_tokens(ctx), limit=query.limit * OVERFETCH
    )
    shown = [hit for hit in hits if _still_visible(hit, ctx)][: query.limit]
    return {"items": [hit.as_json() for hit in shown]}


def _still_visible(hit: SearchHit, ctx: Context) -> bool:
    """The store's word over the index's, where the store knows the thing: a deleted
    group's public posts keep a "public" token in the index, but not their visibility."""
    try:
        if hit.type == "posts":
            return can_see_post(ctx.content.get_post(hit.uuid), ctx)
        if hit.type == "groups":
            return group_is_visible(ctx.accounts.get_group(hit.uuid), ctx)
    except NotFound:
        # a post published on the bus by an outside producer is indexed without being in
        # content; its tokens already matched the caller's. A group must exist.
        return hit.type == "posts"
    return True
