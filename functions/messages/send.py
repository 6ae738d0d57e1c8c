"""send_message: the one way a chat message comes into being, whatever the transport.

HTTP, MQTT and WebSocket all call it, so chat behaves the same everywhere:
check everything → claim the client_id → store live → attach media → emit
`message.created` (keyed by conversation, so a conversation stays ordered on the bus)
→ publish it live. The send costs the same whatever the audience: a direct message is
indexed in both people's inboxes and published on both `user:` channels; a group message
is stored once and published once, on the group's channel, where each stream process
delivers it to its own sockets of members (membership changes reach the streams as
`group.joined` / `group.left` on the person's channel, see functions/groups/announce.py).

Idempotency: (sender, client_id) is claimed atomically in live before anything is
stored, so a repeat never stores a second message; it returns the message the first
send stored. If that message is not there yet (the first send is mid-flight) we wait
briefly; if it never appears (the first sender died between claim and store) this send
finishes the job under the claimed uuid, so a retried send is never refused for good.
A rejected send stores nothing and claims nothing.
"""

from __future__ import annotations

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

from functions.messages.access import existing_user, find_message, member_group
from functions.visibility import can_see_message
from shared import channels
from shared.context import Context
from shared.errors import Invalid, NotFound
from shared.records import (
    Message,
    User,
    conversation_of,
    new_timeuuid,
    optional_uuid,
    to_millisecond,
)

MAX_TEXT = 4000
MAX_MEDIA = 10
MAX_CLIENT_ID = 100
CLAIM_WAIT_SECONDS = 2.0


def send_message(
    ctx: Context,
    sender: User,
    *,
    to_user: str | None = None,
    to_group: str | None = None,
    text: object,
    reply_to: str | None = None,
    media: object = (),
    client_id: object = None,
) -> Message:
    """Check, store, announce and push one message from `sender`; return it (see module doc)."""
    ctx = ctx.as_caller(sender, ctx.token_hash)
    message = _checked_message(ctx, sender, to_user, to_group, text, reply_to, media, client_id)
    if message.client_id:
        ttl = ctx.settings.message_ttl
        first = ctx.live.claim_client_id(sender.uuid, message.client_id, message.uuid, ttl)
        if first is not None:
            stored = _await_message(ctx, first)
            if stored is not None:
                return stored
            message = message.replace(uuid=first)
    _store_and_announce(ctx, message)
    return message


def live_channels(message: Message) -> list[str]:
    """Where a message is published: the group's channel, or both people's channels of a
    direct chat (the sender's other devices too)."""
    if message.to_group:
        return [channels.group(message.to_group)]
    return [channels.user(uuid) for uuid in _direct_pair(message)]


def _direct_pair(message: Message) -> list[str]:
    return sorted({message.sender_uuid, message.to_user or message.sender_uuid})


def _checked_message(ctx, sender, to_user, to_group, text, reply_to, media, client_id) -> Message:
    to_user = optional_uuid(_optional_str(to_user, "to_user"), "to_user")
    to_group = optional_uuid(_optional_str(to_group, "to_group"), "to_group")
    if (to_user is None) == (to_group is None):
        field = "to_group" if to_user else "to_user"
        raise Invalid("give exactly one of to_user and to_group", field=field)
    text = _text(text)
    client_id = _client_id(client_id)
    if to_group:
        member_group(ctx, to_group, "to_group")
    else:
        existing_user(ctx, to_user or "", "to_user")
    conversation = conversation_of(sender.uuid, to_user, to_group)
    return Message(
        uuid=new_timeuuid(),
        sender_uuid=sender.uuid,
        to_user=to_user,
        to_group=to_group,
        text=text,
        created_at=to_millisecond(ctx.clock()),
        reply_to=_reply_to(ctx, reply_to, conversation),
        media=_own_media(ctx, sender, media),
        client_id=client_id,
    )


def _optional_str(value: object, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Invalid(f"{field} must be a string", field=field)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid("text must be a string", field="text")
    text = value.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise Invalid(f"text must be 1 to {MAX_TEXT} characters", field="text")
    return text


def _client_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_CLIENT_ID:
        raise Invalid(
            f"client_id must be a string of 1 to {MAX_CLIENT_ID} characters", field="client_id"
        )
    return value.strip()


def _reply_to(ctx: Context, value: object, conversation: str) -> str | None:
    uuid = optional_uuid(_optional_str(value, "reply_to"), "reply_to")
    if uuid is None:
        return None
    original = find_message(ctx, uuid)
    if (
        original is None
        or original.conversation != conversation
        or not can_see_message(original, ctx)
    ):
        raise Invalid("reply_to must be a message of this conversation", field="reply_to")
    return uuid


def _own_media(ctx: Context, sender: User, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > MAX_MEDIA:
        raise Invalid(f"media must be a list of at most {MAX_MEDIA} media uuids", field="media")
    uuids = [optional_uuid(_optional_str(item, "media"), "media") for item in value]
    for uuid in uuids:
        if uuid is None or not _owns_media(ctx, sender, uuid):
            raise Invalid(f"media {uuid} is not a media item you uploaded", field="media")
    return tuple(dict.fromkeys(uuids))  # type: ignore[arg-type]


def _owns_media(ctx: Context, sender: User, uuid: str) -> bool:
    try:
        return ctx.content.get_media(uuid).owner_uuid == sender.uuid
    except NotFound:
        return False


def _await_message(ctx: Context, uuid: str) -> Message | None:
    waiting = Retrying(
        stop=stop_after_delay(CLAIM_WAIT_SECONDS),
        wait=wait_fixed(0.02),
        retry=retry_if_result(lambda found: found is None),
    )
    try:
        return waiting(find_message, ctx, uuid)
    except RetryError:
        return None


def _store_and_announce(ctx: Context, message: Message) -> None:
    inboxes = () if message.to_group else _direct_pair(message)
    ctx.live.put_message(message, ctx.settings.message_ttl, inboxes=inboxes)
    for media_uuid in message.media:
        ctx.content.attach_media(media_uuid, "message", message.uuid)
    body = message.as_json()
    ctx.emit("message.created", message.uuid, body, key=message.conversation)
    for channel in live_channels(message):
        ctx.live.publish(channel, {"type": "message.created", "data": body})
