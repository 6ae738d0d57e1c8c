"""POST /groups, GET and DELETE /groups/{uuid}, and the groups' search documents."""

from __future__ import annotations

from pydantic import Field

from functions.http import Body, DisplayName, Request
from functions.registry import app
from functions.users.subjects import uuid_in
from functions.visibility import group_tokens
from shared.context import Context
from shared.records import Group, SearchDoc, new_uuid

from .announce import JOINED, LEFT, announce
from .rules import require_admin, visible_group


class NewGroup(Body):
    name: DisplayName
    is_private: bool = Field(default=False, strict=True)


@app.route(
    "POST", "/groups", status=201, body=NewGroup, summary="Create a group; you are its admin"
)
def create_group(req: Request, ctx: Context) -> dict:
    body: NewGroup = req.body
    me = ctx.me
    group = Group(
        uuid=new_uuid(),
        name=body.name,
        is_private=body.is_private,
        created_by=me.uuid,
        user_count=1,
        is_active=True,
        created_on=ctx.clock(),
    )
    group = ctx.accounts.create_group(group, me)
    ctx.emit("group.created", group.uuid, group.as_json())
    ctx.emit("group.member_joined", group.uuid, {"group": group.uuid, "user": me.uuid})
    announce(ctx, JOINED, group.uuid, [me.uuid])
    return {"group": group.as_json()}


@app.route("GET", "/groups/{uuid}", summary="A group you may see")
def get_group(req: Request, ctx: Context) -> dict:
    return {"group": visible_group(req.params["uuid"], ctx).as_json()}


@app.route("DELETE", "/groups/{uuid}", status=204, summary="Delete a group (admins)")
def delete_group(req: Request, ctx: Context) -> None:
    group = visible_group(req.params["uuid"], ctx)
    require_admin(group, ctx, "delete it")
    members = [m.user_uuid for m in ctx.accounts.members(group.uuid)]
    ctx.accounts.delete_group(group.uuid, ctx.clock())
    ctx.emit("group.deleted", group.uuid, {"group": group.uuid, "by": ctx.me.uuid})
    announce(ctx, LEFT, group.uuid, members)


@app.on_event("group.created")
@app.on_event("group.deleted")
def index_group_for_search(event, ctx: Context) -> None:
    """Index the group as a "groups" document that only those who may see it can find,
    or take a deleted group out. One function owns a group's document, reading the
    group as it is now: a group's events share its key and reach this consumer in
    order, so a late index never brings a deleted group back."""
    group = ctx.accounts.get_group(uuid_in(event, "subject"))
    if group.is_active:
        ctx.search.index(group_doc(group))
    else:
        ctx.search.remove("groups", group.uuid)


def group_doc(group: Group) -> SearchDoc:
    """A group's search document: its name, for those who may see the group."""
    return SearchDoc(
        type="groups",
        uuid=group.uuid,
        title=group.name,
        text=group.name,
        visibility=group_tokens(group),
        created_at=group.created_on,
    )
