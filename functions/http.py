"""What an HTTP handler receives and may return — no Flask in sight.

A handler gets a `Request` (path params, validated query and body models, raw bytes)
and returns a dict (sent as JSON with the route's status), None (204), or a
`Response` when it needs another status, raw bytes or headers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from shared.errors import Invalid
from shared.records import parse_time


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    query: Any = None  # the route's query model, validated
    body: Any = None  # the route's body model, validated
    raw: bytes = b""
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    client: str = ""  # the caller's network address, for per-address limits


@dataclass
class Response:
    status: int = 200
    body: dict | None = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


# Control characters (NUL…) and the bidi overrides and isolates, which make a name display
# as something it is not ("moc.elgoog" shown as "google.com"), have no place in a name.
_NOT_IN_NAMES = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _display_name(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" or ch in _NOT_IN_NAMES for ch in value):
        raise ValueError("must not contain control or bidirectional-override characters")
    return value


DisplayName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_display_name)]
# passwords are taken exactly as typed: Body strips other strings, never these
Password = Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)]


class Body(BaseModel):
    """Base of request bodies: unknown fields are ignored, strings are stripped."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class Page(BaseModel):
    """?limit=&before= — `before` is the `next` cursor of the previous page."""

    model_config = ConfigDict(extra="ignore")
    limit: int = Field(default=20, ge=1, le=100)
    before: str | None = None

    @field_validator("before")
    @classmethod
    def _cursor_is_time(cls, value: str | None) -> str | None:
        if value:
            cursor_time(value)
        return value or None

    @property
    def before_time(self) -> datetime | None:
        return cursor_time(self.before) if self.before else None


def invalid_from(exc: ValidationError, where: str) -> Invalid:
    """A pydantic error as the 400 naming the first field at fault (`where`: body, query…)."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or where
    return Invalid(f"{where} field {field!r}: {first['msg']}", field=field)


def cursor_time(cursor: str) -> datetime:
    """The time of a `before` cursor; Invalid naming `before` for anything we never issued
    (parse_time refuses what is not a strict ISO 8601 time of a sane year)."""
    try:
        return parse_time(cursor)
    except ValueError:
        raise Invalid(
            "before must be the `next` cursor of a previous page", field="before"
        ) from None


def page(items: list, limit: int, *, time_of=lambda item: item.created_at) -> dict:
    """{items, next}: `next` is the cursor of the page after this one, or None at the end."""
    from shared.records import iso

    more = len(items) > limit
    items = items[:limit]
    return {
        "items": [item.as_json() if hasattr(item, "as_json") else item for item in items],
        "next": iso(time_of(items[-1])) if more and items else None,
    }
