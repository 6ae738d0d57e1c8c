"""GET /search?q=&type=posts|users|groups&limit= — best first, only what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import caller_tokens, can_see_post, group_is_visible
from shared.context import Context
from shared.errors import NotFound
from shared.records import Post, SearchHit

from .ranking import ranked

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
    """Best first: relevance, then a little recency and the caller's circle (search.ranking)."""
    query: SearchQuery = req.query
    tokens = caller_tokens(ctx)
    hits = ctx.search.query(
        query.q, types=[query.type], visible_to=tokens, limit=query.limit * OVERFETCH
    )
    circle = Circle.of(tokens, ctx)
    judged = [(hit, *_judge(hit, circle, ctx)) for hit in hits]
    shown = [(hit, when, near) for hit, seen, when, near in judged if seen]
    return {"items": [hit.as_json() for hit in ranked(shown, ctx.clock())[: query.limit]]}


@dataclass(frozen=True)
class Circle:
    """Who and what is close to the caller, read off their visibility tokens."""

    me: str | None
    follows: frozenset[str]
    groups: frozenset[str]

    @classmethod
    def of(cls, tokens: list[str], ctx: Context) -> Circle:
        def named(prefix: str) -> frozenset[str]:
            return frozenset(t.removeprefix(prefix) for t in tokens if t.startswith(prefix))

        me = ctx.caller.uuid if ctx.caller else None
        return cls(me, named("followers:"), named("group:"))

    def holds_post(self, post: Post) -> bool:
        return (
            post.author_uuid in self.follows
            or post.author_uuid == self.me
            or (post.group_uuid in self.groups)
        )


def _judge(hit: SearchHit, circle: Circle, ctx: Context) -> tuple[bool, datetime | None, bool]:
    """(still visible, when it was made, in the caller's circle). The store's word over the
    index's, where the store knows the thing: a deleted group's public posts keep a
    "public" token in the index, but not their visibility."""
    try:
        if hit.type == "posts":
            post = ctx.content.get_post(hit.uuid)
            return can_see_post(post, ctx), post.created_at, circle.holds_post(post)
        if hit.type == "groups":
            group = ctx.accounts.get_group(hit.uuid)
            return group_is_visible(group, ctx), None, group.uuid in circle.groups
    except NotFound:
        # a post published on the bus by an outside producer is indexed without being in
        # content; its tokens already matched the caller's. A group must exist.
        return hit.type == "posts", None, False
    return True, None, hit.uuid in circle.follows
