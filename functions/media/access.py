"""Who may fetch a media item: its owner, and anyone who may see a post or a message
that attaches it. Everyone else is told it does not exist."""

from __future__ import annotations

from functions.messages.access import find_message
from functions.visibility import can_see_message, can_see_post, unseen
from shared.context import Context
from shared.errors import NotFound
from shared.records import Media


def visible_media(uuid: str, ctx: Context) -> Media:
    """The media record, or NotFound — also when it exists but the caller may not see it."""
    try:
        media = ctx.content.get_media(uuid)
    except NotFound:
        raise unseen("media") from None
    if ctx.caller is not None and ctx.caller.uuid == media.owner_uuid:
        return media
    if any(
        _attachment_visible(kind, owner, ctx) for kind, owner in ctx.content.media_attachments(uuid)
    ):
        return media
    raise unseen("media")


def _attachment_visible(kind: str, uuid: str, ctx: Context) -> bool:
    if kind == "post":
        try:
            return can_see_post(ctx.content.get_post(uuid), ctx)
        except NotFound:
            return False
    if kind == "message":
        message = find_message(ctx, uuid)
        return message is not None and can_see_message(message, ctx)
    return False
