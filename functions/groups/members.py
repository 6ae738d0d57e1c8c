"""/groups/{uuid}/members: list, join or add, promote or demote, leave or remove —
and mirroring membership into the graph."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.users.subjects import uuid_in
from shared.context import Context
from shared.errors import Conflict, NotFound

from .announce import JOINED, LEFT, announce
from .rules import keep_an_admin, member, require_admin, visible_group


class NewMember(Body):
    """Absent user_uuid: join yourself."""

    user_uuid: UUID | None = None


class MemberChange(Body):
    is_admin: bool = Field(strict=True)


@app.route("GET", "/groups/{uuid}/members", summary="A group's active members, oldest first")
def list_group_members(req: Request, ctx: Context) -> dict:
    group = visible_group(req.params["uuid"], ctx)
    return {"items": [m.as_json() for m in ctx.accounts.members(group.uuid)]}


@app.route(
    "POST",
    "/groups/{uuid}/members",
    status=201,
    body=NewMember,
    summary="Join, or add someone (admins)",
)
def add_group_member(req: Request, ctx: Context) -> dict:
    group = visible_group(req.params["uuid"], ctx)
    target = str(req.body.user_uuid) if req.body.user_uuid else ctx.me.uuid
    if target != ctx.me.uuid or group.is_private:
        require_admin(group, ctx, "add members" if target != ctx.me.uuid else "let people in")
    if ctx.accounts.membership(group.uuid, target) is not None:
        raise Conflict("already a member of this group", field="user_uuid")
    try:
        user = ctx.accounts.get_user(target)
    except NotFound:
        raise NotFound("no such user", field="user_uuid") from None
    membership = ctx.accounts.add_member(group.uuid, user, is_admin=False, when=ctx.clock())
    ctx.emit("group.member_joined", group.uuid, {"group": group.uuid, "user": user.uuid})
    announce(ctx, JOINED, group.uuid, [user.uuid])
    return {"member": membership.as_json()}


@app.route(
    "PATCH",
    "/groups/{uuid}/members/{user}",
    body=MemberChange,
    summary="Make or unmake an admin (admins)",
)
def set_group_admin(req: Request, ctx: Context) -> dict:
    group = visible_group(req.params["uuid"], ctx)
    require_admin(group, ctx, "change who is an admin")
    target = member(group, req.params["user"], ctx)
    if not req.body.is_admin:
        keep_an_admin(group, target, ctx)
    membership = ctx.accounts.set_admin(group.uuid, target.user_uuid, req.body.is_admin)
    return {"member": membership.as_json()}


@app.route(
    "DELETE",
    "/groups/{uuid}/members/{user}",
    status=204,
    summary="Leave, or remove someone (admins)",
)
def remove_group_member(req: Request, ctx: Context) -> None:
    group = visible_group(req.params["uuid"], ctx)
    if req.params["user"] != ctx.me.uuid:
        require_admin(group, ctx, "remove other members")
    target = member(group, req.params["user"], ctx)
    keep_an_admin(group, target, ctx)
    ctx.accounts.remove_member(group.uuid, target.user_uuid, ctx.clock())
    ctx.emit("group.member_left", group.uuid, {"group": group.uuid, "user": target.user_uuid})
    announce(ctx, LEFT, group.uuid, [target.user_uuid])


@app.on_event("group.member_joined")
def graph_join_group(event, ctx: Context) -> None:
    ctx.graph.join(uuid_in(event, "user"), uuid_in(event, "group"))


@app.on_event("group.member_left")
def graph_leave_group(event, ctx: Context) -> None:
    ctx.graph.leave(uuid_in(event, "user"), uuid_in(event, "group"))
