"""GET /groups/{uuid}/posts and GET /groups — the group page and finding groups.

A group's posts are all posts of that group, so one check (the group is visible to
the caller: functions.visibility's rule, via rules.visible_group) decides the whole
page; a private group's page is 404 to non-members like the group itself.

`GET /groups` lists either the caller's groups (`mine=1`, newest first by when the
group was made, paged with `before`) or groups found by name (`q=`, best first, the
search index's visibility tokens plus a re-check against accounts). Search results
are ranked, not timed, so a `q` answer is one page: `next` is always null there.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from functions.http import Page, Request, page
from functions.registry import app
from functions.visibility import caller_tokens, group_is_visible
from shared.context import Context
from shared.errors import Invalid

from .rules import visible_group


@app.route(
    "GET",
    "/groups/{uuid}/posts",
    query=Page,
    summary="A group's posts, newest first (members only for private groups)",
)
def list_group_posts(req: Request, ctx: Context) -> dict:
    group = visible_group(req.params["uuid"], ctx)
    query: Page = req.query
    posts = ctx.content.posts_by_group(group.uuid, before=query.before_time, limit=query.limit + 1)
    return page(posts, query.limit)


class GroupQuery(Page):
    """Exactly one of `mine=1` (my groups) or `q=` (groups found by name)."""

    mine: bool = False
    q: str | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _one_of_mine_or_q(self) -> GroupQuery:
        if self.q is not None and not self.q.strip():
            self.q = None
        if self.mine == (self.q is not None):
            raise Invalid("give either mine=1 or q=<words>", field="q" if self.mine else "mine")
        return self


@app.route("GET", "/groups", query=GroupQuery, summary="My groups (mine=1), or groups by name (q=)")
def list_groups(req: Request, ctx: Context) -> dict:
    query: GroupQuery = req.query
    if query.mine:
        return _my_groups(query, ctx)
    hits = ctx.search.query(
        query.q or "", types=["groups"], visible_to=caller_tokens(ctx), limit=50
    )
    groups = {g.uuid: g for g in ctx.accounts.groups([hit.uuid for hit in hits])}
    found = [groups[hit.uuid] for hit in hits if hit.uuid in groups]
    visible = [group.as_json() for group in found if group_is_visible(group, ctx)]
    return {"items": visible[: query.limit], "next": None}


def _my_groups(query: GroupQuery, ctx: Context) -> dict:
    mine = sorted(
        ctx.accounts.groups_of(ctx.me.uuid), key=lambda g: (g.created_on, g.uuid), reverse=True
    )
    before = query.before_time
    if before is not None:
        mine = [group for group in mine if group.created_on < before]
    return page(mine, query.limit, time_of=lambda group: group.created_on)
