"""A conversation's history: live and archived messages merged, deduplicated by uuid,
ordered by (created_at, uuid), paged back in time; each page oldest first.

The cursor (`next`, passed back as `before`) is "<ISO time>~<message uuid>": the page
after it holds the messages strictly before that (time, uuid), so messages sent in the
same millisecond are never skipped at a page boundary. A bare ISO time is accepted too
(everything strictly before that time).
"""

from __future__ import annotations

import uuid as _uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.http import cursor_time
from shared.context import Context
from shared.errors import Invalid
from shared.records import Message, iso, uuid_or_none

SEPARATOR = "~"
_BEYOND_TIES = timedelta(milliseconds=1)  # the port's `before` is exclusive, we need "up to t"


@dataclass(frozen=True)
class Cursor:
    time: datetime
    uuid: str | None = None

    @classmethod
    def parse(cls, text: str) -> Cursor:
        when, _, uuid = text.partition(SEPARATOR)
        key = uuid_or_none(uuid)
        try:
            if uuid and key is None:
                raise ValueError(uuid)
            return cls(cursor_time(when), key)
        except ValueError:
            raise Invalid(
                "before must be the `next` cursor of a previous page", field="before"
            ) from None

    @classmethod
    def after(cls, message: Message) -> Cursor:
        return cls(message.created_at, message.uuid)

    def __str__(self) -> str:
        return f"{iso(self.time)}{SEPARATOR}{self.uuid}" if self.uuid else iso(self.time) or ""

    def admits(self, message: Message) -> bool:
        """True if `message` comes strictly before this cursor."""
        if self.uuid is None:
            return message.created_at < self.time
        return order_key(message) < (self.time, self.uuid)

    @property
    def port_bound(self) -> datetime:
        return self.time + _BEYOND_TIES if self.uuid else self.time


class HistoryQuery(BaseModel):
    """?with_user= | ?group=, and &before=&limit=."""

    model_config = ConfigDict(extra="ignore")
    with_user: _uuid.UUID | None = None
    group: _uuid.UUID | None = None
    limit: int = Field(default=20, ge=1, le=100)
    before: str | None = None

    @field_validator("before")
    @classmethod
    def _cursor_parses(cls, value: str | None) -> str | None:
        if value:
            Cursor.parse(value)
        return value or None

    @property
    def cursor(self) -> Cursor | None:
        return Cursor.parse(self.before) if self.before else None


def order_key(message: Message) -> tuple[datetime, str]:
    return (message.created_at, message.uuid)


def history(ctx: Context, conversation: str, cursor: Cursor | None, limit: int) -> dict:
    """{items (oldest first), next}: the `limit` messages just before `cursor`."""
    older = _older_messages(ctx, conversation, cursor, limit + 1)
    shown = older[:limit]
    more = len(older) > limit
    return {
        "items": [message.as_json() for message in reversed(shown)],
        "next": str(Cursor.after(shown[-1])) if more and shown else None,
    }


def _older_messages(
    ctx: Context, conversation: str, cursor: Cursor | None, want: int
) -> list[Message]:
    """At least `want` messages before `cursor`, newest first (fewer only at the start).

    Each source orders by time alone, so when a batch comes back full, messages at its
    oldest time may have been cut off among equals: only what is strictly newer than that
    time is known complete. If that is too little, fetch more.
    """
    bound = cursor.port_bound if cursor else None
    fetch = want + 1
    while True:
        batches = [
            ctx.live.live_messages(conversation, before=bound, limit=fetch),
            ctx.content.archived_messages(conversation, before=bound, limit=fetch),
        ]
        cut = max((min(m.created_at for m in b) for b in batches if len(b) >= fetch), default=None)
        older = [
            m
            for m in _merged(*batches)
            if (cursor is None or cursor.admits(m)) and (cut is None or m.created_at > cut)
        ]
        if len(older) >= want or cut is None:
            return older
        fetch *= 2


def _merged(*sources: list[Message]) -> list[Message]:
    by_uuid: dict[str, Message] = {}
    for source in sources:
        for message in source:
            by_uuid.setdefault(message.uuid, message)
    return sorted(by_uuid.values(), key=order_key, reverse=True)
