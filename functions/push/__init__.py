"""push: new posts to the live streams of the people whose feed they enter.

Chat messages are pushed by send_message itself (they must arrive within milliseconds);
posts are pushed from the `post.created` event: to the author's followers for public and
followers-only posts, to the group's members for group posts. Streams subscribe to
`user:<uuid>` channels (triggers/websocket).
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from functions.registry import app
from shared import channels
from shared.context import Context
from shared.errors import Invalid
from shared.records import canonical_uuid


@app.on_event("post.created")
def push_post(event: CloudEvent, ctx: Context) -> None:
    """Tell every follower or group member (and the author's other devices) about a new post."""
    post = event.data
    if not isinstance(post, dict):
        raise Invalid("post.created data must be a JSON object", field="data")
    where = "post.created data field"
    author = canonical_uuid(post.get("author_uuid"), "author_uuid", where=f"{where} 'author_uuid'")
    if post.get("scope") == "group" and post.get("group_uuid"):
        group = canonical_uuid(post["group_uuid"], "group_uuid", where=f"{where} 'group_uuid'")
        audience = {m.user_uuid for m in ctx.accounts.members(group)}
    else:
        audience = set(ctx.graph.followers(author))
    for user in sorted(audience | {author}):
        ctx.live.publish(channels.user(user), {"type": "post.created", "data": post})
