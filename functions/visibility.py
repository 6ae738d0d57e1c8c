"""Who may see what — the one place the visibility rules live.

A post is public, for its author's followers, or for a group; a group post is
public when its group is, and for members only when the group is private. A
message reaches its sender, its recipient, and the active members of its group.
Search documents carry the same rules as visibility tokens (records.SearchDoc).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from shared.context import Context
from shared.errors import Forbidden, NotFound
from shared.records import Group, Message, Post


def group_is_visible(group: Group, ctx: Context) -> bool:
    if not group.is_active:
        return False
    if not group.is_private:
        return True
    return (
        ctx.caller is not None and ctx.accounts.membership(group.uuid, ctx.caller.uuid) is not None
    )


def can_see_post(post: Post, ctx: Context) -> bool:
    return post_filter(ctx)(post)


def post_filter(
    ctx: Context, *, following: Iterable[str] = (), groups: Iterable[Group] = ()
) -> Callable[[Post], bool]:
    """can_see_post for many posts of one request: each group and each author is looked up
    once, when a post first needs it, and not at all when the caller already read them in
    this request (`following`: whom the caller follows; `groups`: the caller's groups, as
    accounts.groups_of gives them). Nothing outlives the request."""
    viewer = ctx.caller.uuid if ctx.caller else None
    followed = set(following)
    mine = {group.uuid for group in groups if group.is_active}

    @functools.cache
    def group_allows(group_uuid: str | None) -> bool:
        return group_uuid in mine or _group_allows(group_uuid, ctx)

    @functools.cache
    def follows(author_uuid: str) -> bool:
        if author_uuid in followed:
            return True
        return viewer is not None and ctx.graph.is_following(viewer, author_uuid)

    def can_see(post: Post) -> bool:
        if post.scope == "group":
            return group_allows(post.group_uuid)
        if post.scope == "public" or viewer == post.author_uuid:
            return True
        return follows(post.author_uuid)

    return can_see


def unseen(what: str) -> NotFound:
    """The one answer for a thing that is absent or hidden from the caller: the two must
    not be told apart, so both are this, word for word."""
    return NotFound(f"no such {what}", field="uuid")


def visible_post(uuid: str, ctx: Context) -> Post:
    """The post, or NotFound — also when it exists but the caller may not see it."""
    try:
        post = ctx.content.get_post(uuid)
    except NotFound:
        raise unseen("post") from None
    if not can_see_post(post, ctx):
        raise unseen("post")
    return post


def can_see_message(message: Message, ctx: Context) -> bool:
    viewer = ctx.caller.uuid if ctx.caller else None
    if viewer is None:
        return False
    if message.to_group:
        return ctx.accounts.membership(message.to_group, viewer) is not None
    return viewer in (message.sender_uuid, message.to_user)


def post_tokens(post: Post, ctx: Context) -> tuple[str, ...]:
    """The search visibility tokens of a post."""
    if post.scope == "group":
        group = ctx.accounts.get_group(post.group_uuid or "")
        return ("public",) if not group.is_private else (f"group:{group.uuid}",)
    if post.scope == "public":
        return ("public",)
    return (f"followers:{post.author_uuid}", f"user:{post.author_uuid}")


def group_tokens(group: Group) -> tuple[str, ...]:
    return (f"group:{group.uuid}",) if group.is_private else ("public",)


def caller_tokens(ctx: Context) -> list[str]:
    """The visibility tokens the caller holds: what search may show them."""
    if ctx.caller is None:
        return ["public"]
    me = ctx.caller.uuid
    return [
        "public",
        f"user:{me}",
        *(f"followers:{uuid}" for uuid in ctx.graph.following(me)),
        *(f"group:{group.uuid}" for group in ctx.accounts.groups_of(me)),
    ]


def require_operator(ctx: Context) -> None:
    """Operators are the users granted the role (`townsquare admin grant EMAIL`); others 403."""
    if not ctx.me.is_operator:
        raise Forbidden("operators only: this reads analytics and device data")


def _group_allows(group_uuid: str | None, ctx: Context) -> bool:
    try:
        group = ctx.accounts.get_group(group_uuid or "")
    except NotFound:
        return False
    return group_is_visible(group, ctx)
