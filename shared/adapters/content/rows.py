"""Records <-> rows of the content tables (see schema.py), in domain values.

One field ↔ column table (shared.adapters.fields.FieldMap) per record, read both ways.
A row holds uuid strings (canonical, lower case), aware UTC datetimes cut to the
millisecond (Cassandra's timestamp precision, so both adapters give back the same
time), lists of uuid strings and dicts; each adapter encodes them its own way.
Writes validate what they store, by the column's kind in schema.py (Invalid names the
record's field; a uuid field typed `str | None` may be empty); reads of a malformed
uuid simply find nothing (shared.records.uuid_or_none).
"""

from __future__ import annotations

import json
import types
import typing
from datetime import UTC, datetime

from shared.adapters.fields import FieldMap
from shared.errors import Invalid
from shared.records import (
    Comment,
    Insight,
    Media,
    Message,
    Post,
    Reaction,
    Share,
    canonical_uuid,
    optional_uuid,
    to_millisecond,
)

from .schema import COUNTS, TABLES


def millis(when: datetime, field: str = "created_at") -> datetime:
    if not isinstance(when, datetime):
        raise Invalid(f"{field} must be a datetime", field=field)
    return to_millisecond((when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC))


def _content_map(record: type, table: str, columns: dict[str, str]) -> FieldMap:
    """A FieldMap converting each value by its column's kind in `table`."""
    kinds = TABLES[table].columns
    hints = typing.get_type_hints(record)
    optional = {f for f, hint in hints.items() if types.NoneType in typing.get_args(hint)}

    def store(column: str, field: str, value):
        kind = kinds[column]
        if kind == "uuid":
            return (
                optional_uuid(value or None, field)
                if field in optional
                else canonical_uuid(value, field)
            )
        if kind == "uuids":
            return [canonical_uuid(item, field) for item in value]
        if kind == "time":
            return millis(value, field)
        if kind == "bool":
            return bool(value)
        if kind == "int":
            return int(value)
        if kind == "json":
            return dict(value)
        return value

    def load(column: str, field: str, value):
        return tuple(value) if kinds[column] == "uuids" else value

    return FieldMap(record, columns, store=store, load=load)


POST = _content_map(
    Post,
    "post_master",
    {
        "post_uuid": "uuid",
        "post_author_uuid": "author_uuid",
        "post_name": "name",
        "post_text": "text",
        "post_scope": "scope",
        "group_uuid": "group_uuid",
        "post_pointers": "media",
        "post_url_slug": "url_slug",
        "created_at": "created_at",
    },
)
POST_COUNTS = dict(zip(COUNTS, ("comment_count", "reaction_count", "share_count"), strict=True))
COMMENT = _content_map(
    Comment,
    "post_comments",
    {
        "post_uuid": "post_uuid",
        "comment_timestamp": "created_at",
        "comment_uuid": "uuid",
        "comment_user": "user_uuid",
        "comment_text": "text",
    },
)
REACTION = _content_map(
    Reaction,
    "post_reactions",
    {
        "post_uuid": "post_uuid",
        "reaction_user": "user_uuid",
        "reaction_code": "code",
        "reaction_timestamp": "created_at",
    },
)
SHARE = _content_map(
    Share,
    "share_master",
    {
        "post_uuid": "post_uuid",
        "share_uuid": "uuid",
        "author_user_uuid": "author_uuid",
        "share_user_uuid": "user_uuid",
        "share_scope": "scope",
        "share_comment": "comment",
        "is_forwarded": "is_forwarded",
        "is_reshared": "is_reshared",
        "created_at": "created_at",
    },
)
MESSAGE = _content_map(
    Message,
    "messages_by_uuid",
    {
        "conversation": "conversation",  # a property: written, not read back
        "message_uuid": "uuid",
        "message_timestamp": "created_at",
        "user_uuid": "sender_uuid",
        "destination_group_uuid": "to_group",
        "destination_user_uuid": "to_user",
        "contains_media": "contains_media",  # a property too
        "media_pointers": "media",
        "reply_message_uuid": "reply_to",
        "message_text": "text",
        "client_id": "client_id",
    },
)
MEDIA = _content_map(
    Media,
    "media_master",
    {
        "media_uuid": "uuid",
        "owner_uuid": "owner_uuid",
        "content_type": "content_type",
        "byte_size": "size",
        "blob_key": "blob_key",
        "created_at": "created_at",
    },
)
INSIGHT = _content_map(
    Insight,
    "insights",
    {"insight_name": "name", "computed_at": "computed_at", "result": "result"},
)


def post_from(row: dict, counts: dict | None) -> Post:
    """A post from its row and its counters' row (None: no counters yet)."""
    counts = counts or {}
    return POST.record(row, **{field: counts.get(c) or 0 for c, field in POST_COUNTS.items()})


def json_text(value: dict, field: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise Invalid(f"{field} must be JSON-serializable", field=field) from None
