"""The Content port written once, over a few table primitives each adapter provides.

The rules live here, so the SQLite and Cassandra adapters cannot disagree on them:
idempotent writes (a comment, reaction or share bumps its post's counter only when
its row is new, so a retried write never double-counts), where an edited post
stays, and which way each query pages. An adapter supplies `_write`, `_write_all`,
`_select` (building its WHERE clause with `conditions`), `_remove`, `_bump`,
`_counts` and `_unit` (a transaction where the backend has them) and `_every` (a
whole-table scan), all in the domain values of rows.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from shared.errors import Invalid, NotFound
from shared.records import (
    Comment,
    Insight,
    Media,
    Message,
    Post,
    Reaction,
    Share,
    canonical_uuid,
    uuid_or_none,
)

from . import rows
from .schema import TABLES, Table

ATTACHABLE = ("post", "message")
COUNTS_BATCH = 100  # posts whose counters one query reads


def conditions(spec: Table, equal: dict, bounds: list, encode) -> tuple[str, list]:
    """A WHERE clause ("a = ? AND t < ?") for `equal` and the (column, operator, value)
    `bounds`, and its parameters, each encoded by `encode(kind, value, column)`."""
    terms = [(column, "=", value) for column, value in equal.items()] + list(bounds)
    clause = " AND ".join(f"{column} {operator} ?" for column, operator, _ in terms)
    return clause, [encode(spec.columns[column], value, column) for column, _, value in terms]


class TableContent:
    # -- the primitives ------------------------------------------------------------------
    def _write(self, table: str, row: dict, *, if_absent: bool = False) -> bool:
        """Upsert `row`, or with if_absent insert it only when its key is new: True if written."""
        raise NotImplementedError

    def _write_all(self, writes: list[tuple[str, dict]]) -> None:
        """Upsert several rows together (one transaction or one logged batch)."""
        raise NotImplementedError

    def _select(self, spec: Table, equal: dict, bounds: list, limit: int | None) -> list[dict]:
        """Rows of `spec` matching `equal` and the (column, operator, value) `bounds`, in
        clustering order, at most `limit` (see `conditions`)."""
        raise NotImplementedError

    def _read(self, table: str, key: dict) -> dict | None:
        found = self._select(TABLES[table], key, [], 1)
        return found[0] if found else None

    def _scan(
        self,
        table: str,
        partition: dict,
        *,
        before: datetime | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """A partition's rows in clustering order; before/since bound its time column."""
        spec = TABLES[table]
        bounds = [
            (spec.time_column, operator, value)
            for operator, value in (("<", before), (">=", since))
            if value is not None
        ]
        return self._select(spec, partition, bounds, limit)

    def _scan_many(
        self, table: str, column: str, values: list[str], *, before: datetime | None, limit: int
    ) -> list[dict]:
        """The first `limit` rows, in clustering order, of the partitions where `column` is
        one of `values` (a one-column partition key); an adapter may read them in one query."""
        found = []
        for value in values:
            found += self._scan(table, {column: value}, before=before, limit=limit)
        return in_clustering_order(TABLES[table], found)[:limit]

    def _every(self, table: str) -> Iterator[dict]:
        """Every row of the table, in no particular order (a whole-table scan)."""
        raise NotImplementedError

    def _remove(self, table: str, key: dict) -> bool:
        """Delete the row: True if it was there."""
        raise NotImplementedError

    def _bump(self, post_uuid: str, column: str, delta: int) -> None:
        raise NotImplementedError

    def _counts(self, post_uuids: list[str]) -> dict[str, dict]:
        """post uuid -> {count column: value}, for those with counters."""
        raise NotImplementedError

    def _unit(self) -> AbstractContextManager:
        raise NotImplementedError

    # -- posts ----------------------------------------------------------------------------
    def put_post(self, post: Post) -> None:
        row = rows.POST.row(post)
        with self._unit():
            old = self._read("post_master", {"post_uuid": row["post_uuid"]})
            if old:  # an edit: the rows a post is filed under never move
                row |= {k: old[k] for k in ("post_author_uuid", "group_uuid", "created_at")}
            writes = [("post_master", row), ("posts_by_author", row)]
            if row["group_uuid"]:
                writes.append(("posts_by_group", row))
            self._write_all(writes)

    def get_post(self, uuid: str) -> Post:
        key = uuid_or_none(uuid)
        row = self._read("post_master", {"post_uuid": key}) if key else None
        if row is None or key is None:
            raise NotFound("no such post", field="uuid")
        return rows.post_from(row, self._counts([key]).get(key))

    def posts_by_author(
        self, author_uuid: str, *, before: datetime | None, limit: int
    ) -> list[Post]:
        return self._posts("posts_by_author", "post_author_uuid", author_uuid, before, limit)

    def posts_by_authors(
        self, author_uuids: list[str], *, before: datetime | None, limit: int
    ) -> list[Post]:
        return self._merged("posts_by_author", "post_author_uuid", author_uuids, before, limit)

    def posts_by_group(self, group_uuid: str, *, before: datetime | None, limit: int) -> list[Post]:
        return self._posts("posts_by_group", "group_uuid", group_uuid, before, limit)

    def posts_by_groups(
        self, group_uuids: list[str], *, before: datetime | None, limit: int
    ) -> list[Post]:
        return self._merged("posts_by_group", "group_uuid", group_uuids, before, limit)

    def _merged(self, table, column, values, before, limit) -> list[Post]:
        keys = sorted({key for key in map(uuid_or_none, values) if key})
        if limit <= 0 or not keys:
            return []
        bound = rows.millis(before, "before") if before else None
        return self._counted(self._scan_many(table, column, keys, before=bound, limit=limit))

    def _posts(self, table, column, value, before, limit) -> list[Post]:
        return self._counted(list(self._page(table, {column: value}, before, limit)))

    def _counted(self, found: list[dict]) -> list[Post]:
        counts = self._counts([row["post_uuid"] for row in found]) if found else {}
        return [rows.post_from(row, counts.get(row["post_uuid"])) for row in found]

    def _page(self, table, partition, before, limit) -> Iterator[dict]:
        key = {column: uuid_or_none(value) for column, value in partition.items()}
        if limit <= 0 or None in key.values():
            return iter(())
        bound = rows.millis(before, "before") if before else None
        return iter(self._scan(table, key, before=bound, limit=limit))

    # -- comments, reactions, shares --------------------------------------------------------
    def add_comment(self, comment: Comment) -> None:
        row = rows.COMMENT.row(comment)
        with self._unit():
            if self._write("post_comments", row, if_absent=True):
                self._bump(row["post_uuid"], "post_comment_count", 1)

    def comments(self, post_uuid: str, *, limit: int = 100) -> list[Comment]:
        found = self._page("post_comments", {"post_uuid": post_uuid}, None, limit)
        return [rows.COMMENT.record(row) for row in found]

    def put_reaction(self, reaction: Reaction) -> bool:
        row = rows.REACTION.row(reaction)
        with self._unit():
            new = self._write("post_reactions", row, if_absent=True)
            if new:
                self._bump(row["post_uuid"], "post_reaction_count", 1)
        return new

    def delete_reaction(self, post_uuid: str, user_uuid: str, code: str) -> bool:
        post, user = uuid_or_none(post_uuid), uuid_or_none(user_uuid)
        if not (post and user):
            return False
        with self._unit():
            key = {"post_uuid": post, "reaction_user": user, "reaction_code": code}
            gone = self._remove("post_reactions", key)
            if gone:
                self._bump(post, "post_reaction_count", -1)
        return gone

    def reactions(self, post_uuid: str) -> list[Reaction]:
        found = self._page("post_reactions", {"post_uuid": post_uuid}, None, 10_000)
        return [rows.REACTION.record(row) for row in found]

    def put_share(self, share: Share) -> None:
        row = rows.SHARE.row(share)
        with self._unit():
            if self._write("share_master", row, if_absent=True):
                self._bump(row["post_uuid"], "post_share_count", 1)

    def shares(self, post_uuid: str) -> list[Share]:
        """Newest first (share_master clusters by share uuid, so we order here)."""
        found = [
            rows.SHARE.record(row)
            for row in self._page("share_master", {"post_uuid": post_uuid}, None, 10_000)
        ]
        return sorted(found, key=lambda share: (share.created_at, share.uuid), reverse=True)

    # -- the message archive ----------------------------------------------------------------
    def archive_message(self, message: Message) -> None:
        row = rows.MESSAGE.row(message)
        with self._unit():
            if not self._write("messages_by_uuid", row, if_absent=True):
                # archived before: (re)file it as first stored, which also heals a write
                # that died between the two tables
                row = self._read("messages_by_uuid", {"message_uuid": row["message_uuid"]}) or row
            writes = [("messages_archive", row)]
            if row["destination_user_uuid"]:  # a direct message: filed under both people too
                people = dict.fromkeys((row["user_uuid"], row["destination_user_uuid"]))
                writes += [("messages_by_person", row | {"person_uuid": p}) for p in people if p]
            self._write_all(writes)  # one round trip; the filings never disagree

    def archive_messages(self, messages: list[Message]) -> None:
        for message in messages:  # CassandraContent runs them concurrently
            self.archive_message(message)

    def archived_messages(
        self, conversation: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        if limit <= 0:
            return []
        bound = rows.millis(before, "before") if before else None
        found = self._scan(
            "messages_archive", {"conversation": conversation}, before=bound, limit=limit
        )
        return [rows.MESSAGE.record(row) for row in found]

    def archived_direct_messages(
        self, person: str, *, before: datetime | None, limit: int
    ) -> list[Message]:
        key = uuid_or_none(person)
        if limit <= 0 or key is None:
            return []
        bound = rows.millis(before, "before") if before else None
        found = self._scan("messages_by_person", {"person_uuid": key}, before=bound, limit=limit)
        return [rows.MESSAGE.record(row) for row in found]

    def get_archived_message(self, uuid: str) -> Message | None:
        key = uuid_or_none(uuid)
        row = self._read("messages_by_uuid", {"message_uuid": key}) if key else None
        return rows.MESSAGE.record(row) if row else None

    # -- media ----------------------------------------------------------------------------
    def put_media(self, media: Media) -> None:
        self._write("media_master", rows.MEDIA.row(media))

    def get_media(self, uuid: str) -> Media:
        key = uuid_or_none(uuid)
        row = self._read("media_master", {"media_uuid": key}) if key else None
        if row is None:
            raise NotFound("no such media", field="uuid")
        return rows.MEDIA.record(row)

    def attach_media(self, media_uuid: str, kind: str, owner_uuid: str) -> None:
        if kind not in ATTACHABLE:
            raise Invalid(f"kind must be one of {', '.join(ATTACHABLE)}", field="kind")
        row = {
            "media_uuid": canonical_uuid(media_uuid, "media_uuid"),
            "attached_kind": kind,
            "attached_uuid": canonical_uuid(owner_uuid, "owner_uuid"),
        }
        self._write("media_attachments", row)

    def media_attachments(self, media_uuid: str) -> list[tuple[str, str]]:
        found = self._page("media_attachments", {"media_uuid": media_uuid}, None, 10_000)
        return [(row["attached_kind"], row["attached_uuid"]) for row in found]

    # -- insights and device logs -----------------------------------------------------------
    def put_insight(self, insight: Insight) -> None:
        self._write("insights", rows.INSIGHT.row(insight))

    def get_insight(self, name: str) -> Insight | None:
        row = self._read("insights", {"insight_name": name})
        return rows.INSIGHT.record(row) if row else None

    def put_device_log(
        self, device_id: str, ts: datetime, level: str, message: str, extra: dict
    ) -> None:
        row = {
            "device_id": str(device_id),
            "ts": rows.millis(ts, "ts"),
            "level": level,
            "message": message,
            "extra": dict(extra or {}),
        }
        self._write("device_logs", row)

    def device_logs(self, device_id: str, *, since: datetime | None, limit: int) -> list[dict]:
        if limit <= 0:
            return []
        bound = rows.millis(since, "since") if since else None
        return self._scan("device_logs", {"device_id": str(device_id)}, since=bound, limit=limit)

    # -- whole tables, for the analytics export -------------------------------------------
    def all_posts(self) -> Iterator[Post]:
        found = self._every("post_master")
        while batch := list(itertools.islice(found, COUNTS_BATCH)):
            counts = self._counts([row["post_uuid"] for row in batch])
            yield from (rows.post_from(row, counts.get(row["post_uuid"])) for row in batch)

    def all_comments(self) -> Iterator[Comment]:
        return map(rows.COMMENT.record, self._every("post_comments"))

    def all_reactions(self) -> Iterator[Reaction]:
        return map(rows.REACTION.record, self._every("post_reactions"))

    def all_shares(self) -> Iterator[Share]:
        return map(rows.SHARE.record, self._every("share_master"))

    def all_archived_messages(self) -> Iterator[Message]:
        return map(rows.MESSAGE.record, self._every("messages_by_uuid"))

    def all_device_logs(self) -> Iterator[dict]:
        return self._every("device_logs")


def in_clustering_order(spec: Table, found: list[dict]) -> list[dict]:
    """Rows of several partitions of `spec` merged into its clustering order."""
    for column, direction in reversed(spec.clustering):  # stable sorts, last key first
        found = sorted(found, key=lambda row: row[column], reverse=direction == "DESC")
    return found
