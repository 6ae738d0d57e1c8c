"""Who may write to, and read, which conversation — and finding a message wherever it lives.

A direct conversation needs only that the other person exists (reading one while accounts
is unavailable does not wait for that check: a conversation holds only messages its reader
is party to, so an unknown uuid reads as an empty history). A group conversation
is for the group's active members: a group the caller may not see (absent, deleted,
private and not theirs) is NotFound; a public group they have not joined is Forbidden.
Also: reading a message back from its JSON (what `message.created` carries).
"""

from __future__ import annotations

from functions.visibility import group_is_visible
from shared.context import Context
from shared.errors import Forbidden, Invalid, NotFound, Unavailable
from shared.records import (
    Group,
    Message,
    User,
    canonical_uuid,
    conversation_of,
    optional_uuid,
    parse_time,
)


def existing_user(ctx: Context, user_uuid: str, field: str) -> User:
    try:
        return ctx.accounts.get_user(user_uuid)
    except NotFound:
        raise NotFound("no such user", field=field) from None


def member_group(ctx: Context, group_uuid: str, field: str) -> Group:
    """The group, if the caller is an active member of it; NotFound or Forbidden otherwise."""
    try:
        group = ctx.accounts.get_group(group_uuid)
    except NotFound:
        raise NotFound("no such group", field=field) from None
    if not group_is_visible(group, ctx):
        raise NotFound("no such group", field=field)
    if ctx.accounts.membership(group.uuid, ctx.me.uuid) is None:
        raise Forbidden("only the group's members may use its chat; join it first", field=field)
    return group


def conversation_with(ctx: Context, *, with_user: str | None, group: str | None) -> str:
    """The conversation the caller has with a person or in a group (checked as above)."""
    if (with_user is None) == (group is None):
        field = "group" if with_user else "with_user"
        raise Invalid("give exactly one of with_user and group", field=field)
    if group is not None:
        return conversation_of(ctx.me.uuid, None, member_group(ctx, group, "group").uuid)
    return conversation_of(ctx.me.uuid, _partner(ctx, with_user or ""), None)


def _partner(ctx: Context, user_uuid: str) -> str:
    """The other person of a direct conversation: checked in accounts when it can be."""
    try:
        return existing_user(ctx, user_uuid, "with_user").uuid
    except Unavailable:
        return canonical_uuid(user_uuid, "with_user") or ""


def find_message(ctx: Context, uuid: str) -> Message | None:
    """A message from live, or, once it has expired there, from the archive."""
    return ctx.live.get_message(uuid) or ctx.content.get_archived_message(uuid)


def message_from_json(data: object) -> Message:
    """A Message from `Message.as_json()`; Invalid naming the field when it is not one."""
    if not isinstance(data, dict):
        raise Invalid("a message must be a JSON object", field="data")
    try:
        message = Message(
            uuid=canonical_uuid(data.get("uuid"), "uuid"),
            sender_uuid=canonical_uuid(data.get("sender_uuid"), "sender_uuid"),
            to_user=optional_uuid(data.get("to_user"), "to_user"),
            to_group=optional_uuid(data.get("to_group"), "to_group"),
            text=_string(data.get("text"), "text"),
            created_at=parse_time(_string(data.get("created_at"), "created_at")),
            reply_to=optional_uuid(data.get("reply_to"), "reply_to"),
            media=tuple(canonical_uuid(item, "media") for item in data.get("media") or ()),
            client_id=data.get("client_id") if isinstance(data.get("client_id"), str) else None,
        )
    except (TypeError, ValueError) as exc:
        raise Invalid(f"not a message: {exc}", field="data") from None
    if (message.to_user is None) == (message.to_group is None):
        raise Invalid("a message has exactly one of to_user and to_group", field="to_user")
    return message


def _string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", field=field)
    return value
