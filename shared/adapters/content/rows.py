"""Records <-> rows of the content tables (see schema.py), in domain values.

A row holds uuid strings (canonical, lower case), aware UTC datetimes cut to the
millisecond (Cassandra's timestamp precision, so both adapters give back the same
time), lists of uuid strings and dicts; each adapter encodes them its own way.
Writes validate what they store (Invalid names the field); reads of a malformed
uuid simply find nothing.
"""

from __future__ import annotations

import json
import uuid as _uuid
from datetime import UTC, datetime

from shared.errors import Invalid
from shared.records import Comment, Insight, Media, Message, Post, Reaction, Share

from .schema import COUNTS


def uuid_text(value, field: str) -> str:
    try:
        return str(_uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{field} must be a uuid, not {value!r}", field=field) from None


def optional_uuid(value, field: str) -> str | None:
    return uuid_text(value, field) if value else None


def lookup_uuid(value) -> str | None:
    """The canonical uuid, or None when `value` cannot name a row."""
    try:
        return str(_uuid.UUID(str(value)))
    except ValueError:
        return None


def millis(when: datetime, field: str = "created_at") -> datetime:
    if not isinstance(when, datetime):
        raise Invalid(f"{field} must be a datetime", field=field)
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def post_row(post: Post) -> dict:
    return {
        "post_uuid": uuid_text(post.uuid, "uuid"),
        "post_author_uuid": uuid_text(post.author_uuid, "author_uuid"),
        "post_name": post.name,
        "post_text": post.text,
        "post_scope": post.scope,
        "group_uuid": optional_uuid(post.group_uuid, "group_uuid"),
        "post_pointers": [uuid_text(m, "media") for m in post.media],
        "post_url_slug": post.url_slug,
        "created_at": millis(post.created_at),
    }


def post_from(row: dict, counts: dict | None) -> Post:
    counts = counts or {}
    comments, reactions, shares = (counts.get(column) or 0 for column in COUNTS)
    return Post(
        uuid=row["post_uuid"],
        author_uuid=row["post_author_uuid"],
        name=row["post_name"],
        text=row["post_text"],
        scope=row["post_scope"],
        group_uuid=row["group_uuid"],
        media=tuple(row["post_pointers"]),
        url_slug=row["post_url_slug"],
        created_at=row["created_at"],
        comment_count=comments,
        reaction_count=reactions,
        share_count=shares,
    )


def comment_row(comment: Comment) -> dict:
    return {
        "post_uuid": uuid_text(comment.post_uuid, "post_uuid"),
        "comment_timestamp": millis(comment.created_at),
        "comment_uuid": uuid_text(comment.uuid, "uuid"),
        "comment_user": uuid_text(comment.user_uuid, "user_uuid"),
        "comment_text": comment.text,
    }


def comment_from(row: dict) -> Comment:
    return Comment(
        uuid=row["comment_uuid"],
        post_uuid=row["post_uuid"],
        user_uuid=row["comment_user"],
        text=row["comment_text"],
        created_at=row["comment_timestamp"],
    )


def reaction_row(reaction: Reaction) -> dict:
    return {
        "post_uuid": uuid_text(reaction.post_uuid, "post_uuid"),
        "reaction_user": uuid_text(reaction.user_uuid, "user_uuid"),
        "reaction_code": reaction.code,
        "reaction_timestamp": millis(reaction.created_at),
    }


def reaction_from(row: dict) -> Reaction:
    return Reaction(
        post_uuid=row["post_uuid"],
        user_uuid=row["reaction_user"],
        code=row["reaction_code"],
        created_at=row["reaction_timestamp"],
    )


def share_row(share: Share) -> dict:
    return {
        "post_uuid": uuid_text(share.post_uuid, "post_uuid"),
        "share_uuid": uuid_text(share.uuid, "uuid"),
        "author_user_uuid": uuid_text(share.author_uuid, "author_uuid"),
        "share_user_uuid": uuid_text(share.user_uuid, "user_uuid"),
        "share_scope": share.scope,
        "share_comment": share.comment,
        "is_forwarded": bool(share.is_forwarded),
        "is_reshared": bool(share.is_reshared),
        "created_at": millis(share.created_at),
    }


def share_from(row: dict) -> Share:
    return Share(
        uuid=row["share_uuid"],
        post_uuid=row["post_uuid"],
        author_uuid=row["author_user_uuid"],
        user_uuid=row["share_user_uuid"],
        scope=row["share_scope"],
        comment=row["share_comment"],
        created_at=row["created_at"],
        is_forwarded=row["is_forwarded"],
        is_reshared=row["is_reshared"],
    )


def message_row(message: Message) -> dict:
    media = [uuid_text(m, "media") for m in message.media]
    return {
        "conversation": message.conversation,
        "message_uuid": uuid_text(message.uuid, "uuid"),
        "message_timestamp": millis(message.created_at),
        "user_uuid": uuid_text(message.sender_uuid, "sender_uuid"),
        "destination_group_uuid": optional_uuid(message.to_group, "to_group"),
        "destination_user_uuid": optional_uuid(message.to_user, "to_user"),
        "contains_media": bool(media),
        "media_pointers": media,
        "reply_message_uuid": optional_uuid(message.reply_to, "reply_to"),
        "message_text": message.text,
        "client_id": message.client_id,
    }


def message_from(row: dict) -> Message:
    return Message(
        uuid=row["message_uuid"],
        sender_uuid=row["user_uuid"],
        to_user=row["destination_user_uuid"],
        to_group=row["destination_group_uuid"],
        text=row["message_text"],
        created_at=row["message_timestamp"],
        reply_to=row["reply_message_uuid"],
        media=tuple(row["media_pointers"]),
        client_id=row["client_id"],
    )


def media_row(media: Media) -> dict:
    return {
        "media_uuid": uuid_text(media.uuid, "uuid"),
        "owner_uuid": uuid_text(media.owner_uuid, "owner_uuid"),
        "content_type": media.content_type,
        "byte_size": int(media.size),
        "blob_key": media.blob_key,
        "created_at": millis(media.created_at),
    }


def media_from(row: dict) -> Media:
    return Media(
        uuid=row["media_uuid"],
        owner_uuid=row["owner_uuid"],
        content_type=row["content_type"],
        size=row["byte_size"],
        blob_key=row["blob_key"],
        created_at=row["created_at"],
    )


def insight_row(insight: Insight) -> dict:
    return {
        "insight_name": insight.name,
        "computed_at": millis(insight.computed_at, "computed_at"),
        "result": dict(insight.result),
    }


def insight_from(row: dict) -> Insight:
    return Insight(name=row["insight_name"], computed_at=row["computed_at"], result=row["result"])


def json_text(value: dict, field: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise Invalid(f"{field} must be JSON-serializable", field=field) from None
