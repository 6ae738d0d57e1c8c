"""content: posts, comments, reactions, shares, the message archive, media pointers,
device logs and analytics insights — the high-volume, write-often store.

Tables are shaped by query (as they are in Cassandra): a user's posts newest first,
a group's posts newest first, a post's comments in order, a conversation's messages
in order. Every write is idempotent by its uuid, so a retried write never doubles.
Pagination: `before` is an exclusive upper bound on created_at; results newest first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from shared.records import Comment, Insight, Media, Message, Post, Reaction, Share


class Content(Protocol):
    def put_post(self, post: Post) -> None: ...
    def get_post(self, uuid: str) -> Post:
        """NotFound if absent. Counts are current."""

    def posts_by_author(
        self, author_uuid: str, *, before: datetime | None, limit: int
    ) -> list[Post]: ...
    def posts_by_authors(
        self, author_uuids: list[str], *, before: datetime | None, limit: int
    ) -> list[Post]:
        """The newest `limit` posts by any of these authors, as posts_by_author would list
        them merged (newest first, then by uuid)."""

    def posts_by_group(
        self, group_uuid: str, *, before: datetime | None, limit: int
    ) -> list[Post]: ...
    def posts_by_groups(
        self, group_uuids: list[str], *, before: datetime | None, limit: int
    ) -> list[Post]:
        """The newest `limit` posts in any of these groups, as posts_by_group would list
        them merged (newest first, then by uuid)."""

    def add_comment(self, comment: Comment) -> None:
        """Idempotent by comment.uuid; bumps the post's comment_count once."""

    def comments(self, post_uuid: str, *, limit: int = 100) -> list[Comment]:
        """Oldest first."""

    def put_reaction(self, reaction: Reaction) -> bool:
        """One per (post, user, code): True if new, False if it was already there."""

    def delete_reaction(self, post_uuid: str, user_uuid: str, code: str) -> bool: ...
    def reactions(self, post_uuid: str) -> list[Reaction]: ...

    def put_share(self, share: Share) -> None:
        """Idempotent by share.uuid; bumps the post's share_count once."""

    def shares(self, post_uuid: str) -> list[Share]: ...

    def archive_message(self, message: Message) -> None:
        """messages_archive; idempotent by message.uuid."""

    def archive_messages(self, messages: list[Message]) -> None:
        """archive_message() for each, concurrently where the store allows."""

    def archived_messages(
        self, conversation: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        """Newest first."""

    def archived_direct_messages(
        self, person: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        """The direct messages `person` sent or received, newest first (what a stream's
        resume replays when the live store has lost its copies)."""

    def get_archived_message(self, uuid: str) -> Message | None: ...

    def put_media(self, media: Media) -> None: ...
    def get_media(self, uuid: str) -> Media:
        """NotFound if absent."""

    def attach_media(self, media_uuid: str, kind: str, owner_uuid: str) -> None:
        """Record that a post or message (kind "post" | "message", its uuid) points at the media."""

    def media_attachments(self, media_uuid: str) -> list[tuple[str, str]]:
        """(kind, uuid) pairs."""

    def put_insight(self, insight: Insight) -> None: ...
    def get_insight(self, name: str) -> Insight | None: ...

    def put_device_log(
        self, device_id: str, ts: datetime, level: str, message: str, extra: dict
    ) -> None:
        """One log line of a device; idempotent by (device_id, ts to the millisecond)."""

    def device_logs(self, device_id: str, *, since: datetime | None, limit: int) -> list[dict]:
        """Newest first, ts >= since: dicts of device_id, ts, level, message, extra."""

    # whole-table reads, for the analytics export (in any order; counts are current)
    def all_posts(self) -> Iterator[Post]: ...
    def all_comments(self) -> Iterator[Comment]: ...
    def all_reactions(self) -> Iterator[Reaction]: ...
    def all_shares(self) -> Iterator[Share]: ...
    def all_archived_messages(self) -> Iterator[Message]: ...
    def all_device_logs(self) -> Iterator[dict]:
        """Dicts of device_id, ts, level, message, extra, as device_logs gives them."""

    def health(self) -> None: ...
    def close(self) -> None: ...
