"""The exported datasets and their columns, written once for pyarrow and for Spark.

Each dataset is a folder of Parquet files partitioned by day (`day=YYYY-MM-DD/`), the
UTC day of its `time` column. Emails, phones and password hashes are not exported:
no insight needs them; nor are events' payloads (only their type, subject and time).
"""

from __future__ import annotations

from dataclasses import dataclass

# column kind -> (pyarrow type name, Spark SQL type)
KINDS = {
    "text": ("string", "STRING"),
    "bool": ("bool", "BOOLEAN"),
    "int": ("int64", "BIGINT"),
    "time": ("timestamp", "TIMESTAMP"),
}


@dataclass(frozen=True)
class Dataset:
    name: str
    time: str  # the column whose UTC day partitions the rows
    key: tuple[str, ...]  # what sorts the rows of a day, so a day's file is reproducible
    columns: dict[str, str]  # column -> kind

    def arrow_schema(self):
        import pyarrow as pa

        types = {
            "string": pa.string(),
            "bool": pa.bool_(),
            "int64": pa.int64(),
            "timestamp": pa.timestamp("ms", tz="UTC"),
        }
        return pa.schema([(c, types[KINDS[k][0]]) for c, k in self.columns.items()])

    def spark_ddl(self) -> str:
        """The columns as Spark DDL, with the `day` partition column Spark adds."""
        return ", ".join([f"{c} {KINDS[k][1]}" for c, k in self.columns.items()] + ["day DATE"])


DATASETS = {
    d.name: d
    for d in (
        Dataset("users", "signup_date", ("uuid",),
                {"uuid": "text", "name": "text", "signup_date": "time", "last_logged_in": "time"}),
        Dataset("groups", "created_on", ("uuid",),
                {"uuid": "text", "name": "text", "is_private": "bool", "created_by": "text",
                 "user_count": "int", "is_active": "bool", "created_on": "time",
                 "deleted_on": "time"}),
        Dataset("memberships", "added_on", ("group_uuid", "user_uuid"),
                {"group_uuid": "text", "user_uuid": "text", "is_active": "bool",
                 "is_admin": "bool", "added_on": "time", "removed_on": "time"}),
        Dataset("posts", "created_at", ("uuid",),
                {"uuid": "text", "author_uuid": "text", "group_uuid": "text", "scope": "text",
                 "name": "text", "text": "text", "created_at": "time", "comment_count": "int",
                 "reaction_count": "int", "share_count": "int"}),
        Dataset("comments", "created_at", ("uuid",),
                {"uuid": "text", "post_uuid": "text", "user_uuid": "text", "text": "text",
                 "created_at": "time"}),
        Dataset("reactions", "created_at", ("post_uuid", "user_uuid", "code"),
                {"post_uuid": "text", "user_uuid": "text", "code": "text", "created_at": "time"}),
        Dataset("shares", "created_at", ("uuid",),
                {"uuid": "text", "post_uuid": "text", "author_uuid": "text", "user_uuid": "text",
                 "scope": "text", "created_at": "time"}),
        Dataset("messages", "created_at", ("uuid",),
                {"uuid": "text", "sender_uuid": "text", "to_user": "text", "to_group": "text",
                 "text": "text", "created_at": "time", "archived": "bool"}),
        Dataset("device_logs", "ts", ("device_id", "ts"),
                {"device_id": "text", "ts": "time", "level": "text", "message": "text"}),
        Dataset("events", "time", ("partition", "offset"),
                {"id": "text", "type": "text", "source": "text", "subject": "text",
                 "time": "time", "partition": "int", "offset": "int"}),
    )
}  # fmt: skip
