"""Membership changes, told to the people they concern on their live channel.

A group's messages are published once, on the group's channel; each stream process
delivers them to its own sockets of the group's members. The streams learn of a change
from `{"type": "group.joined" | "group.left", "data": {"group": uuid}}` on the person's
`user:` channel, published right after the change is stored (and also seen by the
person's clients).
"""

from __future__ import annotations

from collections.abc import Iterable

from shared import channels
from shared.context import Context

JOINED, LEFT = "group.joined", "group.left"


def announce(ctx: Context, kind: str, group_uuid: str, user_uuids: Iterable[str]) -> None:
    """Publish `kind` (JOINED or LEFT) about `group_uuid` to each person's channel."""
    for user_uuid in user_uuids:
        ctx.live.publish(channels.user(user_uuid), {"type": kind, "data": {"group": group_uuid}})
