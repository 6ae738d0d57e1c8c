"""GET /users/{uuid}/posts — a person's posts, newest first, only those the caller may see.

The content store pages by time without knowing the caller, so a page may lose posts to
visibility; we keep reading older batches until the page is full (limit + 1 visible, to
know there is a next page) or the author's posts run out. The reading is bounded: after
MAX_BATCHES the page may be short, and `next` points at where the reading stopped.
"""

from __future__ import annotations

from datetime import datetime

from functions.http import Page, Request, page
from functions.registry import app
from functions.visibility import can_see_post
from shared.context import Context
from shared.records import Post, iso

MAX_BATCHES = 10


@app.route(
    "GET", "/users/{uuid}/posts", query=Page, summary="Someone's posts you may see, newest first"
)
def list_user_posts(req: Request, ctx: Context) -> dict:
    author = ctx.accounts.get_user(req.params["uuid"]).uuid
    query: Page = req.query
    visible, stopped_at = _visible_posts(author, query.before_time, query.limit, ctx)
    result = page(visible, query.limit)
    if result["next"] is None and stopped_at is not None:
        result["next"] = iso(stopped_at)
    return result


def _visible_posts(
    author: str, before: datetime | None, limit: int, ctx: Context
) -> tuple[list[Post], datetime | None]:
    """(visible posts, up to limit + 1; the cursor where reading stopped early, or None)."""
    visible: list[Post] = []
    batch_size = limit + 1
    for _ in range(MAX_BATCHES):
        batch = ctx.content.posts_by_author(author, before=before, limit=batch_size)
        visible += [post for post in batch if can_see_post(post, ctx)]
        if len(visible) > limit or len(batch) < batch_size:
            return visible, None
        before = batch[-1].created_at
    return visible, before
