"""What a returning socket missed: the messages it may see created after a point, oldest
first. The stream calls this for `?since=`; how messages are indexed for it is the
messages package's business, not the stream's."""

from __future__ import annotations

from datetime import datetime

from shared.context import Context
from shared.records import Message


def missed(ctx: Context, user_uuid: str, *, after: datetime, limit: int) -> list[Message]:
    """Messages to `user_uuid` created strictly after `after`, oldest first, at most `limit`."""
    return ctx.live.inbox(user_uuid, after=after, limit=limit)
