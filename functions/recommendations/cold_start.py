"""What a newcomer is shown before the graph knows them: what is popular in public groups.

When the graph suggests nothing (you follow no one yet, or no one you follow leads
anywhere), recommendations fall back to the public groups with the most members, and say
so in the reason:

    groups  popular_group     "popular: 12 members"
    posts   popular_in_group  "popular in Hiking: 7 reactions, comments and shares"
    people  started_popular   "started Hiking, a popular group"
"""

from __future__ import annotations

from shared.context import Context
from shared.records import Group

GROUPS_LOOKED_AT = 10
POSTS_PER_GROUP = 20


def popular(kind: str, ctx: Context, limit: int) -> list[dict]:
    me = ctx.me.uuid
    mine = {group.uuid for group in ctx.accounts.groups_of(me)}
    groups = [g for g in ctx.accounts.popular_groups(limit=GROUPS_LOOKED_AT)]
    if kind == "groups":
        return [_groups_item(group) for group in groups if group.uuid not in mine][:limit]
    if kind == "posts":
        return _posts(groups, me, ctx)[:limit]
    following = set(ctx.graph.following(me))
    founders = {}
    for group in groups:
        if group.created_by not in following and group.created_by != me:
            founders.setdefault(group.created_by, group)
    return [_founder_item(uuid, group) for uuid, group in founders.items()][:limit]


def _item(uuid: str, score: float, code: str, text: str, via: list[str]) -> dict:
    detail = {"code": code, "text": text, "via": via}
    return {"uuid": uuid, "score": score, "reason": text, "reason_detail": detail}


def _groups_item(group: Group) -> dict:
    text = f"popular: {group.user_count} member{'s' if group.user_count != 1 else ''}"
    return _item(group.uuid, float(group.user_count), "popular_group", text, [])


def _founder_item(uuid: str, group: Group) -> dict:
    text = f"started {group.name}, a popular group"
    return _item(uuid, float(group.user_count), "started_popular", text, [group.uuid])


def _posts(groups: list[Group], me: str, ctx: Context) -> list[dict]:
    items = []
    for group in groups:
        for post in ctx.content.posts_by_group(group.uuid, before=None, limit=POSTS_PER_GROUP):
            if post.author_uuid == me:
                continue
            engagement = post.reaction_count + post.comment_count + post.share_count
            text = f"popular in {group.name}: {engagement} reactions, comments and shares"
            items.append(
                _item(post.uuid, float(engagement), "popular_in_group", text, [group.uuid])
            )
    return sorted(items, key=lambda item: -item["score"])
