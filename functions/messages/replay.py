"""What a returning socket missed: the messages it may see created after a point, oldest
first. The stream calls this for `?since=`; how messages are indexed for it is the
messages package's business, not the stream's.

Direct messages come from the person's inbox; group messages from the live conversation of
each group the person is an active member of now — so someone removed from a group is
replayed none of its messages, and a group message is never indexed per member. Both are
also read from the archive (the person's direct messages, each group's conversation), so
a live store that lost its data (a Redis restarted without its keys) still replays what
was archived.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from functools import partial

from shared.context import Context
from shared.records import Message, conversation_of

ARCHIVE_PAGES = 5


def missed(ctx: Context, user_uuid: str, *, after: datetime, limit: int) -> list[Message]:
    """Messages to `user_uuid` created strictly after `after`, oldest first, at most `limit`."""
    # group messages indexed in inboxes by older versions are read from their group instead
    direct = [m for m in ctx.live.inbox(user_uuid, after=after, limit=limit) if not m.to_group]
    archived_direct = partial(ctx.content.archived_direct_messages, user_uuid)
    sources = [direct, _archived_after(archived_direct, after, limit)]
    for group in ctx.accounts.groups_of(user_uuid):
        conversation = conversation_of(user_uuid, None, group.uuid)
        sources.append(ctx.live.live_messages_after(conversation, after=after, limit=limit))
        archived = partial(ctx.content.archived_messages, conversation)
        sources.append(_archived_after(archived, after, limit))
    merged = heapq.merge(*sources, key=lambda m: (m.created_at, m.uuid))
    found: list[Message] = []
    seen: set[str] = set()  # a message both live and archived is replayed once
    for message in merged:
        if message.uuid not in seen:
            seen.add(message.uuid)
            found.append(message)
            if len(found) == limit:
                break
    return found


def _archived_after(
    read: Callable[..., list[Message]], after: datetime, limit: int
) -> list[Message]:
    """The oldest `limit` archived messages after `after`, oldest first. `read(before=,
    limit=)` gives them newest first, so they are read back page by page to `after` (at
    most ARCHIVE_PAGES pages: a socket away that long resumes from history instead)."""
    newer: list[Message] = []
    before = None
    for _ in range(ARCHIVE_PAGES):
        page = read(before=before, limit=limit)
        newer += [m for m in page if m.created_at > after]
        if len(page) < limit or page[-1].created_at <= after:
            break
        before = page[-1].created_at
    return sorted(newer, key=lambda m: (m.created_at, m.uuid))[:limit]
