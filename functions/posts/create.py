"""POST /posts: a new public, followers-only or group post, with optional media.

The slug is the first words of the text, made URL-safe, plus a piece of the post's
random uuid so two posts with the same opening never share a slug. The name is the
first line, cut at a word boundary.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from uuid import UUID

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import group_is_visible
from shared.context import Context
from shared.errors import Forbidden, Invalid, NotFound
from shared.records import Post, new_uuid

SLUG_WORDS = 8
SLUG_CHARS = 60
NAME_CHARS = 80
MAX_MEDIA = 20


class NewPost(Body):
    text: str = Field(min_length=1, max_length=10_000)
    scope: Literal["public", "followers", "group"]
    group_uuid: UUID | None = None
    media: list[UUID] = Field(default_factory=list, max_length=MAX_MEDIA)


@app.route("POST", "/posts", status=201, body=NewPost, summary="Write a post")
def create_post(req: Request, ctx: Context) -> dict:
    body: NewPost = req.body
    group_uuid = _checked_group(body, ctx)
    media = _owned_media([str(m) for m in body.media], ctx)
    uuid = new_uuid()
    post = Post(
        uuid=uuid,
        author_uuid=ctx.me.uuid,
        name=post_name(body.text),
        text=body.text,
        scope=body.scope,
        group_uuid=group_uuid,
        media=tuple(media),
        url_slug=slugify(body.text, uuid),
        created_at=ctx.clock(),
    )
    ctx.content.put_post(post)
    for media_uuid in media:
        ctx.content.attach_media(media_uuid, "post", post.uuid)
    ctx.emit("post.created", post.uuid, post.as_json())
    return {"post": post.as_json()}


def _checked_group(body: NewPost, ctx: Context) -> str | None:
    """The group of a group post, once the caller is known to be an active member."""
    if body.scope != "group":
        if body.group_uuid is not None:
            raise Invalid("group_uuid is only for posts with scope 'group'", field="group_uuid")
        return None
    if body.group_uuid is None:
        raise Invalid("a post with scope 'group' needs group_uuid", field="group_uuid")
    uuid = str(body.group_uuid)
    try:
        group = ctx.accounts.get_group(uuid)
    except NotFound:
        raise NotFound("no such group", field="group_uuid") from None
    if not group_is_visible(group, ctx):  # deleted, or private and the caller is outside
        raise NotFound("no such group", field="group_uuid")
    if ctx.accounts.membership(uuid, ctx.me.uuid) is None:
        raise Forbidden(
            "only members of the group may post in it; join it first", field="group_uuid"
        )
    return uuid


def _owned_media(uuids: list[str], ctx: Context) -> list[str]:
    """The distinct media uuids, each uploaded by the caller; Invalid naming `media` otherwise."""
    distinct = list(dict.fromkeys(uuids))
    for uuid in distinct:
        try:
            media = ctx.content.get_media(uuid)
        except NotFound:
            media = None
        if media is None or media.owner_uuid != ctx.me.uuid:
            raise Invalid(f"media {uuid} is not one of your uploads", field="media")
    return distinct


def slugify(text: str, uuid: str) -> str:
    """'Hello, Wörld! again' + uuid → 'hello-world-again-1a2b3c4d5e'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:SLUG_WORDS]
    stem = "-".join(words)[:SLUG_CHARS].strip("-") or "post"
    return f"{stem}-{uuid.replace('-', '')[:10]}"


def post_name(text: str) -> str:
    """The first non-empty line, cut to NAME_CHARS at a word boundary."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), text.strip())
    if len(first) <= NAME_CHARS:
        return first
    cut = first[:NAME_CHARS].rsplit(" ", 1)[0] or first[:NAME_CHARS]
    return cut.rstrip(" ,.;:") + "…"
