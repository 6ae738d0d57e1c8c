"""The content tables, described once so that SQLite and Cassandra hold the same shape.

Each table is designed by the query it answers (Cassandra style): a partition key
(equality only), clustering columns in the order rows come back, and a few plain
columns, copied where a query needs them (a post lives in post_master,
posts_by_author and posts_by_group). Column names follow the seed's post_master,
share_master and messages_archive.

Column kinds (each adapter maps them to its own types):
uuid, text, time (millisecond UTC timestamp), bool, int, uuids (a list of uuids),
json (a dict as JSON text), counter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    partition: tuple[str, ...]
    clustering: tuple[tuple[str, str], ...]  # (column, "ASC" | "DESC"), in row order
    columns: dict[str, str]  # every column (keys included) -> kind

    @property
    def key(self) -> tuple[str, ...]:
        return self.partition + tuple(column for column, _ in self.clustering)

    @property
    def time_column(self) -> str | None:
        """The first clustering column when it is a time: what `before` / `since` bound."""
        if self.clustering and self.columns[self.clustering[0][0]] == "time":
            return self.clustering[0][0]
        return None


POST = {
    "post_uuid": "uuid",
    "post_author_uuid": "uuid",
    "post_name": "text",
    "post_text": "text",
    "post_scope": "text",
    "group_uuid": "uuid",
    "post_pointers": "uuids",
    "post_url_slug": "text",
    "created_at": "time",
}
COUNTS = ("post_comment_count", "post_reaction_count", "post_share_count")
MESSAGE = {
    "conversation": "text",
    "message_uuid": "uuid",
    "message_timestamp": "time",
    "user_uuid": "uuid",
    "destination_group_uuid": "uuid",
    "destination_user_uuid": "uuid",
    "contains_media": "bool",
    "media_pointers": "uuids",
    "reply_message_uuid": "uuid",
    "message_text": "text",
    "client_id": "text",
}
NEWEST_FIRST = (("created_at", "DESC"), ("post_uuid", "ASC"))

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table("post_master", ("post_uuid",), (), POST),
        Table("posts_by_author", ("post_author_uuid",), NEWEST_FIRST, POST),
        Table("posts_by_group", ("group_uuid",), NEWEST_FIRST, POST),
        Table(
            "post_counters",
            ("post_uuid",),
            (),
            {"post_uuid": "uuid"} | dict.fromkeys(COUNTS, "counter"),
        ),
        Table(
            "post_comments",
            ("post_uuid",),
            (("comment_timestamp", "ASC"), ("comment_uuid", "ASC")),
            {
                "post_uuid": "uuid",
                "comment_timestamp": "time",
                "comment_uuid": "uuid",
                "comment_user": "uuid",
                "comment_text": "text",
            },
        ),
        Table(
            "post_reactions",
            ("post_uuid",),
            (("reaction_user", "ASC"), ("reaction_code", "ASC")),
            {
                "post_uuid": "uuid",
                "reaction_user": "uuid",
                "reaction_code": "text",
                "reaction_timestamp": "time",
            },
        ),
        Table(
            "share_master",
            ("post_uuid",),
            (("share_uuid", "ASC"),),
            {
                "post_uuid": "uuid",
                "share_uuid": "uuid",
                "author_user_uuid": "uuid",
                "share_user_uuid": "uuid",
                "share_scope": "text",
                "share_comment": "text",
                "is_forwarded": "bool",
                "is_reshared": "bool",
                "created_at": "time",
            },
        ),
        Table(
            "messages_archive",
            ("conversation",),
            (("message_timestamp", "DESC"), ("message_uuid", "ASC")),
            MESSAGE,
        ),
        Table("messages_by_uuid", ("message_uuid",), (), MESSAGE),
        Table(  # a person's direct messages, sent and received: what a resume replays from
            "messages_by_person",
            ("person_uuid",),
            (("message_timestamp", "DESC"), ("message_uuid", "ASC")),
            {"person_uuid": "uuid"} | MESSAGE,
        ),
        Table(
            "media_master",
            ("media_uuid",),
            (),
            {
                "media_uuid": "uuid",
                "owner_uuid": "uuid",
                "content_type": "text",
                "byte_size": "int",
                "blob_key": "text",
                "created_at": "time",
            },
        ),
        Table(
            "media_attachments",
            ("media_uuid",),
            (("attached_kind", "ASC"), ("attached_uuid", "ASC")),
            {"media_uuid": "uuid", "attached_kind": "text", "attached_uuid": "uuid"},
        ),
        Table(
            "insights",
            ("insight_name",),
            (),
            {"insight_name": "text", "computed_at": "time", "result": "json"},
        ),
        Table(
            "device_logs",
            ("device_id",),
            (("ts", "DESC"),),
            {
                "device_id": "text",
                "ts": "time",
                "level": "text",
                "message": "text",
                "extra": "json",
            },
        ),
    )
}
