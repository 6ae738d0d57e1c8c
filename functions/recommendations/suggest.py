"""GET /recommendations/{kind}: kind is people, groups or posts."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from functions.http import Body, Request
from functions.registry import app
from functions.visibility import can_see_post, group_is_visible
from shared.context import Context
from shared.errors import NotFound
from shared.records import Group, Post, Suggestion, User

from . import cold_start, reasons

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
    """Each item: {uuid, score, reason: the sentence, reason_detail: {code, text, via}}."""
    kind = req.params["kind"]
    if kind not in KINDS:
        raise NotFound(
            f"no recommendations of kind {kind!r}; kinds are {', '.join(KINDS)}", field="kind"
        )
    suggest, keep = KINDS[kind]
    limit, me = req.query.limit, ctx.me.uuid
    suggestions = [s for s in suggest(ctx)(me, limit=limit * OVERFETCH) if s.uuid != me]
    kept = keep(suggestions, ctx)[:limit]
    if kind in BY_INTEREST and len(kept) < limit:  # topped up from the graph of interests
        kept += _by_interest(kind, me, {s.uuid for s, _ in kept}, limit - len(kept), ctx)
    if not kept:  # the graph knows nothing for this caller yet: what is popular, said so
        return {"items": cold_start.popular(kind, ctx, limit)}
    following = ctx.graph.following(me)
    return {"items": [_explained(s, thing, following, ctx) for s, thing in kept]}


def _by_interest(kind: str, me: str, seen: set[str], want: int, ctx: Context) -> list:
    suggest, keep, explain = BY_INTEREST[kind]
    found = suggest(ctx)(me, limit=want * OVERFETCH)
    fresh = [s for s in found if s.uuid not in seen and s.uuid != me]
    return [(s, explain(s.reason.split(), ctx)) for s, _ in keep(fresh, ctx)][:want]


def _explained(suggestion: Suggestion, thing, following: list[str], ctx: Context) -> dict:
    if isinstance(thing, reasons.Reason):
        reason = thing
    else:
        reason = EXPLAIN[type(thing)](thing, following, ctx)
    return {**suggestion.as_json(), "reason": reason.text, "reason_detail": reason.as_json()}


def _people(suggestions: list[Suggestion], ctx: Context) -> list[tuple[Suggestion, User]]:
    existing = {user.uuid: user for user in ctx.accounts.users([s.uuid for s in suggestions])}
    return [(s, existing[s.uuid]) for s in suggestions if s.uuid in existing]


def _groups(suggestions: list[Suggestion], ctx: Context) -> list[tuple[Suggestion, Group]]:
    groups = {group.uuid: group for group in ctx.accounts.groups([s.uuid for s in suggestions])}
    return [
        (s, groups[s.uuid])
        for s in suggestions
        if s.uuid in groups and group_is_visible(groups[s.uuid], ctx)
    ]


def _posts(suggestions: list[Suggestion], ctx: Context) -> list[tuple[Suggestion, Post]]:
    visible = ((s, _visible_post(s.uuid, ctx)) for s in suggestions)
    return [(s, post) for s, post in visible if post is not None]


def _visible_post(uuid: str, ctx: Context) -> Post | None:
    try:
        post = ctx.content.get_post(uuid)
    except NotFound:
        return None
    return post if can_see_post(post, ctx) else None


Kind = tuple[Callable[[Context], Callable[..., list[Suggestion]]], Callable[..., list]]
KINDS: dict[str, Kind] = {
    "people": (lambda ctx: ctx.graph.suggest_people, _people),
    "groups": (lambda ctx: ctx.graph.suggest_groups, _groups),
    "posts": (lambda ctx: ctx.graph.suggest_posts, _posts),
}
EXPLAIN: dict[type, Callable[..., reasons.Reason]] = {
    User: lambda user, following, ctx: reasons.for_person(user.uuid, following, ctx),
    Group: lambda group, following, ctx: reasons.for_group(group.uuid, following, ctx),
    Post: reasons.for_post,
}
BY_INTEREST: dict[str, tuple] = {
    "people": (
        lambda ctx: ctx.graph.suggest_by_interest,
        _people,
        lambda tags, ctx: reasons.for_interests(tags),
    ),
    "groups": (
        lambda ctx: ctx.graph.suggest_groups_by_interest,
        _groups,
        lambda tags, ctx: reasons.for_group_interests(tags),
    ),
    "posts": (lambda ctx: ctx.graph.suggest_posts_by_interest, _posts, reasons.for_alike),
}
