"""What a returning socket missed: the messages it may see created after a point, oldest
first. The stream calls this for `?since=`; how messages are indexed for it is the
messages package's business, not the stream's.

Direct messages come from the person's inbox; group messages from the live conversation of
each group the person is an active member of now — so someone removed from a group is
replayed none of its messages, and a group message is never indexed per member.
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime

from shared.context import Context
from shared.records import Message, conversation_of


def missed(ctx: Context, user_uuid: str, *, after: datetime, limit: int) -> list[Message]:
    """Messages to `user_uuid` created strictly after `after`, oldest first, at most `limit`."""
    # group messages indexed in inboxes by older versions are read from their group instead
    direct = [m for m in ctx.live.inbox(user_uuid, after=after, limit=limit) if not m.to_group]
    groups = [
        ctx.live.live_messages_after(
            conversation_of(user_uuid, None, group.uuid), after=after, limit=limit
        )
        for group in ctx.accounts.groups_of(user_uuid)
    ]
    merged = heapq.merge(direct, *groups, key=lambda m: (m.created_at, m.uuid))
    return list(itertools.islice(merged, limit))
