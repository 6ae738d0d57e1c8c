"""chat over MQTT: `townsquare/chat/user/{uuid}` and `townsquare/chat/group/{uuid}`.

Payload {token, text, client_id?, reply_to?, media?}. The token must be a live session
whose user may write there; the message is then sent exactly as POST /messages sends it
(functions.messages.send.send_message). Anything else is rejected with the reason (the
MQTT trigger dead-letters it).
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from functions.auth import identify
from functions.messages import send_from
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid
from shared.records import Message


@app.on_mqtt("townsquare/chat/user/+")
def chat_to_user(event: CloudEvent, ctx: Context) -> Message:
    """A chat message to one person, published over MQTT."""
    return _send(event, ctx, "to_user")


@app.on_mqtt("townsquare/chat/group/+")
def chat_to_group(event: CloudEvent, ctx: Context) -> Message:
    """A chat message to a group, published over MQTT."""
    return _send(event, ctx, "to_group")


def _send(event: CloudEvent, ctx: Context, target: str) -> Message:
    topic, payload = event.data["topic"], event.data["payload"]
    token = payload.get("token")
    if not isinstance(token, str):
        raise Invalid("payload needs the sender's token", field="token")
    sender, digest = identify(token, ctx)
    fields = {k: v for k, v in payload.items() if k not in ("token", "to_user", "to_group")}
    return send_from(ctx.as_caller(sender, digest), {**fields, target: topic.rsplit("/", 1)[-1]})
