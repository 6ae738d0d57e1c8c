"""graph: who follows, joins, authors and reacts to what — and what that suggests.

Nodes are users, groups and posts by uuid, and hashtags by name; edges are FOLLOWS,
MEMBER_OF, AUTHORED, REACTED and (post)-TAGGED->(hashtag). Writes are idempotent
(adding an edge twice keeps one). Interests are weighted at read time: a hashtag
weighs WROTE_WEIGHT for each post a person wrote with it, 1 for each they reacted to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from shared.records import Suggestion


class Graph(Protocol):
    def follow(self, follower: str, followee: str) -> None: ...
    def unfollow(self, follower: str, followee: str) -> None: ...
    def following(self, user: str) -> list[str]: ...
    def followers(self, user: str) -> list[str]: ...
    def is_following(self, follower: str, followee: str) -> bool: ...
    def join(self, user: str, group: str) -> None: ...
    def leave(self, user: str, group: str) -> None: ...
    def authored(self, user: str, post: str, group: str | None = None) -> None:
        """`group` set for a group post; such posts are never suggested to non-members by
        the graph itself (callers still check visibility)."""

    def reacted(self, user: str, post: str) -> None: ...
    def tagged(self, post: str, tags: list[str]) -> None:
        """The post carries these hashtags (lower case, without '#')."""

    def interests(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        """(hashtag, weight) of what `user` wrote or reacted to, heaviest first."""

    def suggest_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        """People who wrote posts with `user`'s hashtags, not `user` nor already followed
        (posts of groups `user` is not in do not count); score = the weights they share;
        `reason` lists the shared hashtags in name order, space separated."""

    def add_edges(self, rel: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Bulk, idempotent: one `rel` edge (FOLLOWS, MEMBER_OF, AUTHORED or REACTED) per
        (user, target uuid) pair; an unknown `rel` is Invalid."""

    def suggest_groups_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        """Groups whose posts carry `user`'s hashtags, not already joined; score = the
        weights matched (per post); `reason` lists the hashtags in name order."""

    def suggest_posts_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        """Posts reacted to by people like `user` (who wrote posts with `user`'s hashtags),
        not `user`'s own, nor of groups `user` is not in; score = how many of them reacted;
        `reason` lists their uuids in uuid order, space separated."""

    def affinity(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        """(uuid, weight) of the people and groups `user` interacts with, heaviest first:
        1 per reaction to a person's post, 1 per post written or reacted to in a group."""

    def suggest_people(self, user: str, *, limit: int) -> list[Suggestion]:
        """People followed by people `user` follows, not `user` nor already followed;
        score = how many of them follow that person."""

    def suggest_groups(self, user: str, *, limit: int) -> list[Suggestion]:
        """Groups that people `user` follows are members of, not already joined."""

    def suggest_posts(self, user: str, *, limit: int) -> list[Suggestion]:
        """Posts reacted to or authored by people `user` follows, not `user`'s own."""

    def health(self) -> None: ...
    def close(self) -> None: ...
