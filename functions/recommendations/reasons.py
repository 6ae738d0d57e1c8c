"""Why something is suggested, as a sentence a person reads and in structured form.

Every recommendation carries `reason` (the sentence) and `reason_detail`:
`{code, text, via}` — `code` says which rule suggested it, `text` is the same sentence,
`via` lists the uuids it came through (the people you follow who follow that person,
are in that group, or reacted to that post; or the post's author):

    followed_by_follows  "Ada and 2 others you follow follow them"
    joined_by_follows    "Ada and Bob, whom you follow, are in this group"
    (one person: "Ada, whom you follow, follows them")
    reacted_by_follows   "Ada and 2 others you follow reacted"
    by_follow            "posted by Ada, whom you follow"
    shared_interests     "you both write about #hiking and #jazz" (via: [])
    matches_interests    "posts here are about #hiking, like yours" (via: [])
    liked_by_alike       "liked by Ada and 2 others who write about what you do"
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.context import Context
from shared.records import Post


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    via: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"code": self.code, "text": self.text, "via": self.via}


def who(uuids: list[str], ctx: Context, *, one: str, many: str) -> str:
    """ "Ada, whom you follow, {one}" · "Ada and Bob, whom you follow, {many}" ·
    "Ada and 2 others you follow {many}"."""
    known = {user.uuid: user.name for user in ctx.accounts.users(uuids[:2])}
    first, *rest = [known.get(uuid, "someone") for uuid in uuids[:2]]
    if len(uuids) == 1:
        return f"{first}, whom you follow, {one}"
    if len(uuids) == 2:
        return f"{first} and {rest[0]}, whom you follow, {many}"
    return f"{first} and {len(uuids) - 1} others you follow {many}"


def for_person(uuid: str, following: list[str], ctx: Context) -> Reason:
    followers = set(ctx.graph.followers(uuid))
    via = [f for f in following if f in followers]
    text = _sentence(via, "follows them", "follow them", ctx)
    return Reason("followed_by_follows", text, via)


def for_group(uuid: str, following: list[str], ctx: Context) -> Reason:
    members = {m.user_uuid for m in ctx.accounts.members(uuid)}
    via = [f for f in following if f in members]
    text = _sentence(via, "is in this group", "are in this group", ctx)
    return Reason("joined_by_follows", text, via)


def for_post(post: Post, following: list[str], ctx: Context) -> Reason:
    reacted = {reaction.user_uuid for reaction in ctx.content.reactions(post.uuid)}
    via = [f for f in following if f in reacted]
    if via:
        return Reason("reacted_by_follows", _sentence(via, "reacted", "reacted", ctx), via)
    [author] = ctx.accounts.users([post.author_uuid]) or [None]
    name = author.name if author else "someone"
    return Reason("by_follow", f"posted by {name}, whom you follow", [post.author_uuid])


def _sentence(via: list[str], one: str, many: str, ctx: Context) -> str:
    return who(via, ctx, one=one, many=many) if via else "suggested by the people you follow"


def for_interests(tags: list[str]) -> Reason:
    return Reason("shared_interests", f"you both write about {_listed(tags)}")


def for_group_interests(tags: list[str]) -> Reason:
    return Reason("matches_interests", f"posts here are about {_listed(tags)}, like yours")


def _listed(tags: list[str]) -> str:
    named = [f"#{tag}" for tag in tags[:3]]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def for_alike(via: list[str], ctx: Context) -> Reason:
    """A post reacted to by people who write about the caller's hashtags."""
    known = {user.uuid: user.name for user in ctx.accounts.users(via[:2])}
    first, *rest = [known.get(uuid, "someone") for uuid in via[:2]]
    if len(via) == 1:
        who_ = f"{first}, who writes"
    elif len(via) == 2:
        who_ = f"{first} and {rest[0]}, who write"
    else:
        who_ = f"{first} and {len(via) - 1} others who write"
    return Reason("liked_by_alike", f"liked by {who_} about what you do", via)
