"""messages: chat, one-to-one and in groups — send, read history, archive.

`send_message` (send.py) is the one way a message is made; HTTP here, and the MQTT
and WebSocket triggers, all call it. A repeated `client_id` from the same sender
answers 201 with the message the first call stored, unchanged.
History (history.py) merges live and archived messages. `archive_message` copies
every `message.created` into the content archive (a batch per poll), idempotent by uuid.
"""

from __future__ import annotations

import uuid as _uuid

from pydantic import Field, ValidationError

from functions.http import Body, Request, invalid_from
from functions.limits import charge_write
from functions.messages.access import conversation_with, message_from_json
from functions.messages.history import HistoryQuery, history
from functions.messages.send import MAX_CLIENT_ID, MAX_MEDIA, MAX_TEXT, send_message
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid
from shared.records import Message

__all__ = ["send_from", "send_message"]


class NewMessage(Body):
    to_user: _uuid.UUID | None = None
    to_group: _uuid.UUID | None = None
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    reply_to: _uuid.UUID | None = None
    media: list[_uuid.UUID] = Field(default_factory=list, max_length=MAX_MEDIA)
    client_id: str | None = Field(default=None, min_length=1, max_length=MAX_CLIENT_ID)


@app.route(
    "POST",
    "/messages",
    status=201,
    body=NewMessage,
    summary="Send a message to a person or a group",
)
def post_message(req: Request, ctx: Context) -> dict:
    return {"message": _send(req.body, ctx).as_json()}


def send_from(ctx: Context, data: object) -> Message:
    """A message from a WebSocket frame's or an MQTT payload's `data`: checked by the same
    model as POST /messages and charged to the same write budget, then sent."""
    if not isinstance(data, dict):
        raise Invalid("data must be an object", field="data")
    try:
        body = NewMessage.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc, "data") from None
    charge_write(ctx)
    return _send(body, ctx)


def _send(body: NewMessage, ctx: Context) -> Message:
    return send_message(
        ctx,
        ctx.me,
        to_user=_text(body.to_user),
        to_group=_text(body.to_group),
        text=body.text,
        reply_to=_text(body.reply_to),
        media=[str(uuid) for uuid in body.media],
        client_id=body.client_id,
    )


@app.route(
    "GET",
    "/messages",
    query=HistoryQuery,
    summary="A conversation's messages, live and archived, in order",
)
def list_messages(req: Request, ctx: Context) -> dict:
    query: HistoryQuery = req.query
    conversation = conversation_with(
        ctx, with_user=_text(query.with_user), group=_text(query.group)
    )
    return history(ctx, conversation, query.cursor, query.limit)


@app.on_event("message.created", batch=True)
def archive_message(events, ctx: Context) -> None:
    """Copy new messages into the archive, a poll's worth at once.

    The live copy, when there is one, is the authority (an outside producer's event cannot
    rewrite a message we stored)."""
    messages = [message_from_json(event.data) for event in events]
    stored = ctx.live.get_messages([m.uuid for m in messages])
    ctx.content.archive_messages([stored.get(m.uuid, m) for m in messages])


def _text(value: _uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None
