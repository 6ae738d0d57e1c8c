"""Rebuilding the search index or the graph from the stores that own the facts, and the
message archive's own indexes from its messages.

`townsquare backfill search` indexes every user, every active group (removing deleted
ones) and every post with its first comments, with the same documents the event
functions write (functions.users.profile.user_doc, functions.groups.groups.group_doc,
functions.posts.indexing.post_doc). `townsquare backfill graph` adds, from accounts and
content, every membership, authorship, reaction and hashtag edge. Both are idempotent: indexing
replaces by uuid and graph edges are kept once, so a rerun, or a run beside the live
event functions, changes nothing twice.

`townsquare backfill archive` files every archived message again (content's
archive_message, idempotent by uuid): its conversation and, for a direct message, both
people's (messages_by_person, which archives written before it existed lack; a resume
replays direct messages from it).

What neither search nor graph can rebuild: follows live only in the graph (there is no other store of
them), and a post published on the bus by an outside producer with an author unknown to
accounts is reached through no user; both stay as they are.

Posts are read per author (the content store is keyed for "a user's posts newest
first"), so the work is one pass over accounts' users; `advance` is told after each user
and group, for a progress bar. Paging a user's posts by time may skip a post that shares
its exact time with the last of a page of PAGE posts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from functions.groups.groups import group_doc
from functions.posts.indexing import COMMENTS_INDEXED, hashtags, post_doc
from functions.users.profile import user_doc
from shared.context import Context
from shared.records import Post, User

PAGE = 200  # posts read per author at a time
Advance = Callable[[str], None]  # told "users" or "groups" as each one is done


def backfill_search(ctx: Context, advance: Advance = lambda kind: None) -> dict[str, int]:
    counts = {"users": 0, "posts": 0, "groups": 0}
    for user in ctx.accounts.all_users():
        ctx.search.index(user_doc(user))
        for post in posts_of(user, ctx):
            comments = ctx.content.comments(post.uuid, limit=COMMENTS_INDEXED)
            ctx.search.index(post_doc(post, [comment.text for comment in comments], ctx))
            counts["posts"] += 1
        counts["users"] += 1
        advance("users")
    for group in ctx.accounts.all_groups():
        if group.is_active:
            ctx.search.index(group_doc(group))
        else:
            ctx.search.remove("groups", group.uuid)
        counts["groups"] += 1
        advance("groups")
    return counts


def backfill_graph(ctx: Context, advance: Advance = lambda kind: None) -> dict[str, int]:
    counts = {"authored": 0, "reacted": 0, "member_of": 0}
    for user in ctx.accounts.all_users():
        for post in posts_of(user, ctx):
            ctx.graph.authored(post.author_uuid, post.uuid, post.group_uuid)
            if tags := hashtags(post.text):
                ctx.graph.tagged(post.uuid, tags)
            reactors = {(r.user_uuid, post.uuid) for r in ctx.content.reactions(post.uuid)}
            ctx.graph.add_edges("REACTED", sorted(reactors))
            counts["authored"] += 1
            counts["reacted"] += len(reactors)
        advance("users")
    for group in ctx.accounts.all_groups():
        if group.is_active:
            members = [(m.user_uuid, group.uuid) for m in ctx.accounts.members(group.uuid)]
            ctx.graph.add_edges("MEMBER_OF", members)
            counts["member_of"] += len(members)
        advance("groups")
    return counts


def backfill_archive(ctx: Context, advance: Advance = lambda kind: None) -> dict[str, int]:
    counts = {"messages": 0}
    for message in ctx.content.all_archived_messages():
        ctx.content.archive_message(message)
        counts["messages"] += 1
        advance("messages")
    return counts


def posts_of(user: User, ctx: Context) -> Iterator[Post]:
    before = None
    while page := ctx.content.posts_by_author(user.uuid, before=before, limit=PAGE):
        yield from page
        if len(page) < PAGE:
            return
        before = page[-1].created_at
