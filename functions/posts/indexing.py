"""Event functions that keep search and the graph in step with posts and reactions.

Each is idempotent (indexing replaces by uuid, graph edges are kept once), so a
redelivered event changes nothing. A `post.created` event normally carries the whole
post (as_json), and that is what gets indexed: an outside producer may publish posts
on the bus too (docs/api.md, Kafka). An event carrying only a uuid is looked up in content;
one that names no post, or a malformed one, is a dead letter.
"""

from __future__ import annotations

import re
from datetime import UTC

from cloudevents.http import CloudEvent
from pydantic import TypeAdapter, ValidationError

from functions.registry import app
from functions.visibility import post_tokens
from shared.context import Context
from shared.errors import Invalid
from shared.records import Post, SearchDoc, canonical_uuid

SCOPES = ("public", "followers", "group")
HASHTAG = re.compile(r"(?<![\w#])#([^\W_][\w]{0,63})")
MAX_TAGS = 20
_as_post = TypeAdapter(Post)


COMMENTS_INDEXED = 50  # a post is found by its text and its first comments


@app.on_event("post.created", batch=True)
@app.on_event("comment.created", batch=True)
def index_post_for_search(events: list[CloudEvent], ctx: Context) -> None:
    """Index posts with their first comments, a poll's worth in one bulk write.

    A comment makes its post findable by its words. One function owns a post's document:
    a post's events share its key, so they reach this one consumer in order, and the
    comments are read when indexing, so a later write never drops an earlier comment."""
    posts = {post.uuid: post for post in (_indexed_post(event, ctx) for event in events)}
    ctx.search.index_many([post_doc(post, _comments(post, ctx), ctx) for post in posts.values()])


def _comments(post: Post, ctx: Context) -> list[str]:
    return [c.text for c in ctx.content.comments(post.uuid, limit=COMMENTS_INDEXED)]


def _indexed_post(event: CloudEvent, ctx: Context) -> Post:
    """The post an event is about: a new post as it came; a comment's post from content."""
    if event["type"] == "comment.created":
        return ctx.content.get_post(_uuid_field(_data(event), "post_uuid"))
    return _post_of(event, ctx)


def post_doc(post: Post, comments: list[str], ctx: Context) -> SearchDoc:
    """A post's search document: its name, its text and comments, its visibility tokens."""
    return SearchDoc(
        type="posts",
        uuid=post.uuid,
        title=post.name,
        text="\n".join([post.text, *comments]),
        visibility=post_tokens(post, ctx),
        created_at=post.created_at,
    )


@app.on_event("post.created")
def link_post_in_graph(event: CloudEvent, ctx: Context) -> None:
    """Authorship, and the post's hashtags as nodes of the graph of interests."""
    post = _post_of(event, ctx)
    ctx.graph.authored(post.author_uuid, post.uuid, post.group_uuid)
    if tags := hashtags(post.text):
        ctx.graph.tagged(post.uuid, tags)


def hashtags(text: str) -> list[str]:
    """The #words of a text, lower case, without '#', first-seen order, at most MAX_TAGS."""
    return list(dict.fromkeys(tag.lower() for tag in HASHTAG.findall(text)))[:MAX_TAGS]


@app.on_event("reaction.added")
def link_reaction_in_graph(event: CloudEvent, ctx: Context) -> None:
    data = _data(event)
    ctx.graph.reacted(_uuid_field(data, "user_uuid"), _uuid_field(data, "post_uuid"))


def _post_of(event: CloudEvent, ctx: Context) -> Post:
    data = _data(event)
    try:
        post = _as_post.validate_python(data)
    except ValidationError:  # a reference, not a whole post: the store has it or no one does
        return ctx.content.get_post(_uuid_field({"uuid": event.get("subject"), **data}, "uuid"))
    for name in ("uuid", "author_uuid"):
        _uuid_field(data, name)
    if post.scope not in SCOPES:
        raise Invalid(f"post scope must be one of {', '.join(SCOPES)}", field="scope")
    return post.replace(created_at=post.created_at.astimezone(UTC))


def _data(event: CloudEvent) -> dict:
    if not isinstance(event.data, dict):
        raise Invalid(f"{event['type']} data must be a JSON object", field="data")
    return event.data


def _uuid_field(data: dict, name: str) -> str:
    return canonical_uuid(data.get(name), name, where=f"event data field {name!r}")
