"""GET /recommendations/{kind}: kind is people, groups or posts."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import can_see_post, group_is_visible
from shared.context import Context
from shared.errors import NotFound
from shared.records import Suggestion

OVERFETCH = 2  # suggestions dropped by the visibility check must not leave the list short


class SuggestionQuery(Body):
    limit: int = Field(default=10, ge=1, le=50)


@app.route(
    "GET",
    "/recommendations/{kind}",
    query=SuggestionQuery,
    summary="Suggested people, groups or posts",
)
def recommend(req: Request, ctx: Context) -> dict:
    kind = req.params["kind"]
    if kind not in KINDS:
        raise NotFound(
            f"no recommendations of kind {kind!r}; kinds are {', '.join(KINDS)}", field="kind"
        )
    suggest, keep = KINDS[kind]
    limit = req.query.limit
    suggestions = suggest(ctx)(ctx.me.uuid, limit=limit * OVERFETCH)
    kept = keep([s for s in suggestions if s.uuid != ctx.me.uuid], ctx)[:limit]
    return {"items": [suggestion.as_json() for suggestion in kept]}


def _people(suggestions: list[Suggestion], ctx: Context) -> list[Suggestion]:
    existing = {user.uuid for user in ctx.accounts.users([s.uuid for s in suggestions])}
    return [s for s in suggestions if s.uuid in existing]


def _groups(suggestions: list[Suggestion], ctx: Context) -> list[Suggestion]:
    groups = {group.uuid: group for group in ctx.accounts.groups([s.uuid for s in suggestions])}
    return [s for s in suggestions if s.uuid in groups and group_is_visible(groups[s.uuid], ctx)]


def _posts(suggestions: list[Suggestion], ctx: Context) -> list[Suggestion]:
    return [s for s in suggestions if _post_visible(s.uuid, ctx)]


def _post_visible(uuid: str, ctx: Context) -> bool:
    try:
        return can_see_post(ctx.content.get_post(uuid), ctx)
    except NotFound:
        return False


Kind = tuple[Callable[[Context], Callable[..., list[Suggestion]]], Callable[..., list[Suggestion]]]
KINDS: dict[str, Kind] = {
    "people": (lambda ctx: ctx.graph.suggest_people, _people),
    "groups": (lambda ctx: ctx.graph.suggest_groups, _groups),
    "posts": (lambda ctx: ctx.graph.suggest_posts, _posts),
}
