"""The domain's records: plain, immutable dataclasses named after the seed's tables.

Records hold pointers, never blobs (a post's `media` is a list of media uuids).
`as_json()` gives the shape docs/api.md promises; times are ISO 8601 UTC.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid as _uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.errors import Invalid


def new_uuid() -> str:
    return str(_uuid.uuid4())


def new_timeuuid() -> str:
    """A version-1 (time-based) uuid: sorts by creation time in Cassandra's timeuuid columns.
    Its node is random with the multicast bit set (RFC 4122 4.5), never the host's MAC, so
    an id tells nothing about the machine that made it."""
    return str(_uuid.uuid1(node=secrets.randbits(48) | 1 << 40))


def uuid_or_none(value: object) -> str | None:
    """The canonical form of a uuid (lower case, hyphenated), or None when `value` is not
    a uuid string (or a uuid.UUID)."""
    if isinstance(value, _uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        return None
    try:
        return str(_uuid.UUID(value))
    except ValueError:
        return None


def canonical_uuid(value: object, field: str, *, where: str | None = None) -> str:
    """The canonical form of a uuid; Invalid naming `field` when `value` is not one.
    `where` says in the message where the value was (`field` by default)."""
    found = uuid_or_none(value)
    if found is None:
        raise Invalid(f"{where or field} must be a UUID, got {value!r}", field=field)
    return found


def optional_uuid(value: object, field: str) -> str | None:
    """canonical_uuid, with None for None."""
    return None if value is None else canonical_uuid(value, field)


def to_millisecond(when: datetime) -> datetime:
    """`when` cut to the millisecond: what every store keeps (Cassandra's timestamp), so a
    record reads back exactly as it was handed out."""
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def utcnow() -> datetime:
    """Now, to the millisecond (to_millisecond)."""
    return to_millisecond(datetime.now(UTC))


def iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


_ISO_TIME = re.compile(
    r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d([.,]\d{1,6})?)?)?(Z|[+-]\d\d(:?\d\d)?)?", re.ASCII
)
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000
"""Times outside these years are refused: no record has them, and arithmetic near
datetime's own limits (year 1, year 9999) overflows instead of answering."""


def parse_time(text: str) -> datetime:
    """ISO 8601 → aware UTC datetime (a naive time is taken as UTC); ValueError when it
    is not a time, or lies outside EARLIEST_YEAR..LATEST_YEAR."""
    if not _ISO_TIME.fullmatch(text):  # fromisoformat alone lets a trailing NUL through
        raise ValueError(f"{text[:40]!r} is not an ISO 8601 time")
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise ValueError(f"{text!r} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _jsonable(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


class Record:
    """Mixin: `as_json()` of every field, with `_private` fields left out."""

    _private: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            f.name: _jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.name not in self._private
        }

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class User(Record):
    """user_master."""

    uuid: str
    email: str
    name: str
    phone: str | None
    signup_date: datetime
    last_logged_in: datetime | None = None
    is_operator: bool = False  # granted by `townsquare admin grant`, never by signing up
    is_private: bool = False  # followers need this user's approval

    def public(self) -> dict:
        return {
            "uuid": self.uuid,
            "name": self.name,
            "signup_date": iso(self.signup_date),
            "is_private": self.is_private,
        }


@dataclass(frozen=True)
class LiveSession(Record):
    """A login, as the live store keeps it (by the sha256 of its token)."""

    token_hash: str
    user_uuid: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Group(Record):
    """user_group_master (is_private and created_by are Townsquare's additions)."""

    uuid: str
    name: str
    is_private: bool
    created_by: str
    user_count: int
    is_active: bool
    created_on: datetime
    deleted_on: datetime | None = None


@dataclass(frozen=True)
class Membership(Record):
    """user_group_user_list: one row per (group, user), soft-removed via is_active."""

    group_uuid: str
    user_uuid: str
    user_name: str
    is_active: bool
    is_admin: bool
    added_on: datetime
    removed_on: datetime | None = None


@dataclass(frozen=True)
class Service(Record):
    """app_service_groups_master: one deployed service group (a function) and its scale."""

    service_uuid: str
    name: str
    image_id: str
    pods_count: int
    min_scale: int | None = None  # the autoscaler's bounds, where the deployment sets them
    max_scale: int | None = None


@dataclass(frozen=True)
class Comment(Record):
    uuid: str
    post_uuid: str
    user_uuid: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Reaction(Record):
    post_uuid: str
    user_uuid: str
    code: str
    created_at: datetime


@dataclass(frozen=True)
class Post(Record):
    """post_master. scope is public | followers | group; group_uuid is set for group posts."""

    uuid: str
    author_uuid: str
    name: str
    text: str
    scope: str
    group_uuid: str | None
    media: tuple[str, ...]
    url_slug: str
    created_at: datetime
    comment_count: int = 0
    reaction_count: int = 0
    share_count: int = 0


@dataclass(frozen=True)
class Share(Record):
    """share_master: a user re-sharing a post, with an optional comment."""

    uuid: str
    post_uuid: str
    author_uuid: str
    user_uuid: str
    scope: str
    comment: str | None
    created_at: datetime
    is_forwarded: bool = False
    is_reshared: bool = True


@dataclass(frozen=True)
class Message(Record):
    """message_master (live) and messages_archive (archived): one chat message.

    Exactly one of to_user / to_group is set. `conversation` names the ordered stream
    the message belongs to: "group:<uuid>" or "dm:<smaller uuid>:<larger uuid>".
    """

    uuid: str
    sender_uuid: str
    to_user: str | None
    to_group: str | None
    text: str
    created_at: datetime
    reply_to: str | None = None
    media: tuple[str, ...] = ()
    client_id: str | None = None

    @property
    def conversation(self) -> str:
        return conversation_of(self.sender_uuid, self.to_user, self.to_group)

    @property
    def contains_media(self) -> bool:
        return bool(self.media)

    def as_json(self) -> dict:
        body = super().as_json()
        body["conversation"] = self.conversation
        return body


def conversation_of(sender: str, to_user: str | None, to_group: str | None) -> str:
    if to_group:
        return f"group:{to_group}"
    low, high = sorted((sender, to_user or ""))
    return f"dm:{low}:{high}"


@dataclass(frozen=True)
class Media(Record):
    """A media item: the bytes live in blobs under `blob_key`; this is the pointer."""

    uuid: str
    owner_uuid: str
    content_type: str
    size: int
    blob_key: str
    created_at: datetime
    _private = ("blob_key",)


@dataclass(frozen=True)
class SearchDoc(Record):
    """One document in the search index. `visibility` lists who may see it:
    "public", "group:<uuid>", "followers:<author uuid>", "user:<uuid>"."""

    type: str
    uuid: str
    title: str
    text: str
    visibility: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class SearchHit(Record):
    type: str
    uuid: str
    score: float
    snippet: str


@dataclass(frozen=True)
class Suggestion(Record):
    """A recommendation: what, how strongly, and why (in words)."""

    uuid: str
    score: float
    reason: str


@dataclass(frozen=True)
class Insight(Record):
    name: str
    computed_at: datetime
    result: dict = field(default_factory=dict)
