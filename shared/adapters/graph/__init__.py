"""Graph adapters: SQLite (embedded) and Neo4j (server), with what they share.

Both keep the same edges — (user)-FOLLOWS->(user), (user)-MEMBER_OF->(group),
(user)-AUTHORED->(post), (user)-REACTED->(post), and (post)-IN_GROUP->(group) for
a group's posts, and (post)-TAGGED->(hashtag) — and rank suggestions the same way, so they give the same
answers: best score first, then the most recent activity, then by uuid.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.errors import Invalid
from shared.records import Suggestion

FOLLOWS, MEMBER_OF, AUTHORED, REACTED, IN_GROUP, TAGGED = (
    "FOLLOWS",
    "MEMBER_OF",
    "AUTHORED",
    "REACTED",
    "IN_GROUP",
    "TAGGED",
)
WROTE_WEIGHT = 3  # a hashtag in a post one wrote says more than one in a post one liked
RELATIONS = (FOLLOWS, MEMBER_OF, AUTHORED, REACTED)
"""What `add_edges` accepts (IN_GROUP is written by `authored(…, group=…)`)."""


def checked_relation(rel: str) -> str:
    if rel not in RELATIONS:
        raise Invalid(f"unknown relation {rel!r}; use one of {', '.join(RELATIONS)}", field="rel")
    return rel


def checked_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Distinct (src, dst) pairs, in first-seen order."""
    return list(dict.fromkeys((str(src), str(dst)) for src, dst in pairs))


def _people(count: int) -> str:
    return "1 person you follow" if count == 1 else f"{count} people you follow"


def person_reason(count: int) -> str:
    return f"followed by {_people(count)}"


def group_reason(count: int) -> str:
    return f"{_people(count)} {'is a member' if count == 1 else 'are members'}"


def post_reason(authored: bool, reactions: int) -> str:
    parts = ["posted by someone you follow"] if authored else []
    if reactions:
        parts.append(f"{_people(reactions)} reacted")
    return " and ".join(parts)


def person_suggestion(uuid: str, count: int) -> Suggestion:
    return Suggestion(uuid=uuid, score=float(count), reason=person_reason(count))


def group_suggestion(uuid: str, count: int) -> Suggestion:
    return Suggestion(uuid=uuid, score=float(count), reason=group_reason(count))


def post_suggestion(uuid: str, authored: bool, reactions: int) -> Suggestion:
    """A followee's post scores 1, plus 1 per followee who reacted to it."""
    score = float(int(authored) + reactions)
    return Suggestion(uuid=uuid, score=score, reason=post_reason(authored, reactions))


def interest_suggestion(uuid: str, score: float, tags: list[str]) -> Suggestion:
    """`tags` as the graph gave them: the reason lists them without '#' prefixes."""
    names = sorted({tag.removeprefix("#") for tag in tags})
    return Suggestion(uuid=uuid, score=float(score), reason=" ".join(names))
