"""The checks every group call makes: can the caller see this group, and administer it."""

from __future__ import annotations

from functions.visibility import group_is_visible, unseen
from shared.context import Context
from shared.errors import Conflict, Forbidden, NotFound
from shared.records import Group, Membership


def visible_group(uuid: str, ctx: Context) -> Group:
    """The group, or NotFound when it is absent, deleted, or private and the caller not in it."""
    try:
        group = ctx.accounts.get_group(uuid)
    except NotFound:
        group = None
    if group is None or not group_is_visible(group, ctx):
        raise unseen("group")
    return group


def require_admin(group: Group, ctx: Context, doing: str) -> Membership:
    membership = ctx.accounts.membership(group.uuid, ctx.me.uuid)
    if membership is None or not membership.is_admin:
        raise Forbidden(f"only an admin of this group may {doing}")
    return membership


def member(group: Group, user_uuid: str, ctx: Context) -> Membership:
    membership = ctx.accounts.membership(group.uuid, user_uuid)
    if membership is None:
        raise NotFound("that user is not a member of this group", field="user")
    return membership


def keep_an_admin(group: Group, leaving: Membership, ctx: Context) -> None:
    """Conflict when `leaving` is the group's last admin."""
    if not leaving.is_admin:
        return
    admins = [m for m in ctx.accounts.members(group.uuid) if m.is_admin]
    if len(admins) <= 1:
        raise Conflict(
            "the group's last admin cannot step down or leave: make another member an admin "
            "first, or delete the group"
        )
