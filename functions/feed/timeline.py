"""GET /feed: one page of the caller's timeline, built by merging per-source pages.

There are two sources, each one read of the content store per page: the people (the
caller and everyone the caller follows) and the caller's groups. Each is read newest
first from `before`, keeping only visible posts, until it has given limit+1 of them or
runs dry; the merge of those is exact, so `next` is an honest cursor. A source that gives up early (too many
hidden posts in a row) sets a floor: the page stops there and `next` resumes there,
so nothing below it is skipped. A post reached through several sources
keeps the strongest reason: own, then group, then followed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from functions.feed.ranking import AFFINITY_LOOKED_AT, ranked
from functions.http import Page, Request, page
from functions.registry import app
from functions.visibility import post_filter
from shared.context import Context
from shared.records import Group, Post, iso

REASON_RANK = {"own": 0, "group": 1, "followed": 2}
MAX_READS_PER_SOURCE = 5  # a source full of hidden posts must not stall the feed

Fetch = Callable[[datetime | None, int], list[Post]]


@dataclass(frozen=True)
class FeedItem:
    """A post and why it is in the feed: `reason` is the code (own, group, followed);
    `reason_detail` is {code, text: a sentence, via: [the group's or author's uuid]}."""

    post: Post
    reason: str
    group_name: str | None = None
    author_name: str | None = None

    @property
    def created_at(self) -> datetime:
        return self.post.created_at

    def as_json(self) -> dict:
        return {**self.post.as_json(), "reason": self.reason, "reason_detail": self.detail()}

    def detail(self) -> dict:
        post = self.post
        if self.reason == "group":
            text, via = f"new in {self.group_name}, a group you're in", [post.group_uuid]
        elif self.reason == "followed":
            text, via = f"{self.author_name}, whom you follow, posted", [post.author_uuid]
        else:
            text, via = "your post", []
        return {"code": self.reason, "text": text, "via": via}


@app.route(
    "GET", "/feed", query=Page, summary="The caller's timeline: pages by time, ranked within"
)
def read_feed(req: Request, ctx: Context) -> dict:
    query: Page = req.query
    chosen: dict[str, FeedItem] = {}
    floors: list[datetime] = []
    groups = ctx.accounts.groups_of(ctx.me.uuid)
    names = {group.uuid: group.name for group in groups}
    following = [uuid for uuid in ctx.graph.following(ctx.me.uuid) if uuid != ctx.me.uuid]
    visible = post_filter(ctx, following=following, groups=groups)
    for reason_of, fetch in _sources(ctx, groups, following):
        posts, floor = _visible(fetch, query.before_time, query.limit + 1, visible)
        floors += [floor] if floor else []
        for post in posts:
            reason = reason_of(post)
            item = FeedItem(post, reason, names.get(post.group_uuid or ""))
            known = chosen.get(post.uuid)
            if known is None or REASON_RANK[reason] < REASON_RANK[known.reason]:
                chosen[post.uuid] = item
    items = sorted(
        chosen.values(), key=lambda item: (item.created_at, item.post.uuid), reverse=True
    )
    items = _with_author_names(items, ctx)
    floor = max(floors, default=None)
    if floor is None:
        result = page(items, query.limit)
    else:
        result = page([item for item in items if item.created_at >= floor], query.limit)
        result["next"] = result["next"] or iso(floor)
    affinity = dict(ctx.graph.affinity(ctx.me.uuid, limit=AFFINITY_LOOKED_AT))
    return {**result, "items": ranked(result["items"], affinity, ctx.clock())}


def _with_author_names(items: list[FeedItem], ctx: Context) -> list[FeedItem]:
    uuids = list({item.post.author_uuid for item in items})
    names = {user.uuid: user.name for user in ctx.accounts.users(uuids)}
    return [replace(item, author_name=names.get(item.post.author_uuid)) for item in items]


def _sources(
    ctx: Context, groups: list[Group], following: list[str]
) -> list[tuple[Callable[[Post], str], Fetch]]:
    """(the reason a post of the source is in the feed, the source's read)."""
    me, content = ctx.me.uuid, ctx.content
    people, group_uuids = [me, *following], [g.uuid for g in groups]

    def by_people(before: datetime | None, limit: int) -> list[Post]:
        return content.posts_by_authors(people, before=before, limit=limit)

    def by_groups(before: datetime | None, limit: int) -> list[Post]:
        return content.posts_by_groups(group_uuids, before=before, limit=limit)

    def person(post: Post) -> str:
        return "own" if post.author_uuid == me else "followed"

    in_groups = [(lambda post: "group", by_groups)] if group_uuids else []
    return [(person, by_people), *in_groups]


def _visible(
    fetch: Fetch, before: datetime | None, want: int, visible: Callable[[Post], bool]
) -> tuple[list[Post], datetime | None]:
    """Up to `want` visible posts from one source, newest first, and the floor where it
    gave up reading (None when it found enough or ran dry)."""
    found: list[Post] = []
    for _ in range(MAX_READS_PER_SOURCE):
        batch = fetch(before, want)
        found += [post for post in batch if visible(post)]
        if len(found) >= want or len(batch) < want:
            return found[:want], None
        before = batch[-1].created_at
    return found, before
