"""Graph on SQLite: one table of edges, suggestions in SQL — the embedded backend.

URL: ``sqlite:///relative/graph.db``, ``sqlite:////absolute/graph.db`` or
``sqlite:///:memory:``.

Every edge is a row (src, rel, dst, created) with (src, rel, dst) unique, so
adding an edge twice keeps one (and its first `created`). Suggestions are joins
two edges deep, fine for the data of one community on one machine; a big graph
belongs on Neo4j. One connection in WAL mode, serialised by a lock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from shared.adapters import LockedSqlite, sqlite_path
from shared.adapters.graph import (
    AUTHORED,
    FOLLOWS,
    IN_GROUP,
    MEMBER_OF,
    REACTED,
    TAGGED,
    WROTE_WEIGHT,
    checked_pairs,
    checked_relation,
    group_suggestion,
    interest_suggestion,
    person_suggestion,
    post_suggestion,
)
from shared.records import Suggestion

SCHEMA = """
CREATE TABLE IF NOT EXISTS edges (
    src TEXT NOT NULL,
    rel TEXT NOT NULL,
    dst TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (src, rel, dst)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_by_dst ON edges (dst, rel);
"""


def visible(post: str) -> str:
    """SQL: the post is in no group, or in one the caller (:me) is a member of."""
    return f"""NOT EXISTS (
      SELECT 1 FROM edges g WHERE g.src = {post} AND g.rel = 'IN_GROUP'
        AND NOT EXISTS (SELECT 1 FROM edges m
                        WHERE m.src = :me AND m.rel = 'MEMBER_OF' AND m.dst = g.dst))"""


PEOPLE = """
SELECT f2.dst, count(DISTINCT f1.dst) AS score, max(f2.created) AS latest
FROM edges f1 JOIN edges f2 ON f2.src = f1.dst AND f2.rel = 'FOLLOWS'
WHERE f1.src = :me AND f1.rel = 'FOLLOWS' AND f2.dst != :me
  AND NOT EXISTS (SELECT 1 FROM edges x WHERE x.src = :me AND x.rel = 'FOLLOWS' AND x.dst = f2.dst)
GROUP BY f2.dst ORDER BY score DESC, latest DESC, f2.dst LIMIT :limit
"""

GROUPS = """
SELECT m.dst, count(DISTINCT f.dst) AS score, max(m.created) AS latest
FROM edges f JOIN edges m ON m.src = f.dst AND m.rel = 'MEMBER_OF'
WHERE f.src = :me AND f.rel = 'FOLLOWS'
  AND NOT EXISTS (SELECT 1 FROM edges x WHERE x.src = :me AND x.rel = 'MEMBER_OF' AND x.dst = m.dst)
GROUP BY m.dst ORDER BY score DESC, latest DESC, m.dst LIMIT :limit
"""

# a group's posts only for its members; never the caller's own posts
POSTS = f"""
SELECT a.dst, max(a.rel = 'AUTHORED') AS authored,
       count(DISTINCT CASE WHEN a.rel = 'REACTED' THEN a.src END) AS reactions,
       max(a.created) AS latest
FROM edges f JOIN edges a ON a.src = f.dst AND a.rel IN ('AUTHORED', 'REACTED')
WHERE f.src = :me AND f.rel = 'FOLLOWS'
  AND NOT EXISTS (SELECT 1 FROM edges o WHERE o.src = :me AND o.rel = 'AUTHORED' AND o.dst = a.dst)
  AND {visible("a.dst")}
GROUP BY a.dst ORDER BY authored + reactions DESC, latest DESC, a.dst LIMIT :limit
"""


# a hashtag node is its name, prefixed so it can never equal a uuid
MY_TAGS = f"""
SELECT t.dst AS tag, sum(CASE a.rel WHEN 'AUTHORED' THEN {WROTE_WEIGHT} ELSE 1 END) AS weight
FROM edges a JOIN edges t ON t.src = a.dst AND t.rel = 'TAGGED'
WHERE a.src = :me AND a.rel IN ('AUTHORED', 'REACTED')
GROUP BY t.dst
"""
INTERESTS = MY_TAGS + " ORDER BY weight DESC, tag LIMIT :limit"
BY_INTEREST = f"""
WITH mine AS ({MY_TAGS})
SELECT a.src, sum(mine.weight) AS score, group_concat(DISTINCT mine.tag) AS tags
FROM mine JOIN edges t ON t.dst = mine.tag AND t.rel = 'TAGGED'
JOIN edges a ON a.dst = t.src AND a.rel = 'AUTHORED'
WHERE a.src != :me
  AND NOT EXISTS (SELECT 1 FROM edges x WHERE x.src = :me AND x.rel = 'FOLLOWS' AND x.dst = a.src)
  AND {visible("t.src")}
GROUP BY a.src ORDER BY score DESC, a.src LIMIT :limit
"""
GROUPS_BY_INTEREST = f"""
WITH mine AS ({MY_TAGS})
SELECT g.dst, sum(mine.weight) AS score, group_concat(DISTINCT mine.tag) AS tags
FROM mine JOIN edges t ON t.dst = mine.tag AND t.rel = 'TAGGED'
JOIN edges g ON g.src = t.src AND g.rel = 'IN_GROUP'
WHERE NOT EXISTS (SELECT 1 FROM edges m WHERE m.src = :me AND m.rel = 'MEMBER_OF' AND m.dst = g.dst)
GROUP BY g.dst ORDER BY score DESC, g.dst LIMIT :limit
"""
POSTS_BY_INTEREST = f"""
WITH mine AS ({MY_TAGS}),
alike AS (SELECT DISTINCT a.src AS person FROM mine
          JOIN edges t ON t.dst = mine.tag AND t.rel = 'TAGGED'
          JOIN edges a ON a.dst = t.src AND a.rel = 'AUTHORED' WHERE a.src != :me)
SELECT r.dst, count(DISTINCT r.src) AS score, group_concat(DISTINCT r.src) AS via
FROM alike JOIN edges r ON r.src = alike.person AND r.rel = 'REACTED'
WHERE NOT EXISTS (SELECT 1 FROM edges o WHERE o.src = :me AND o.rel = 'AUTHORED' AND o.dst = r.dst)
  AND {visible("r.dst")}
GROUP BY r.dst ORDER BY score DESC, r.dst LIMIT :limit
"""
AFFINITY = """
SELECT target, count(*) AS weight FROM (
    SELECT au.src AS target FROM edges r
    JOIN edges au ON au.dst = r.dst AND au.rel = 'AUTHORED'
    WHERE r.src = :me AND r.rel = 'REACTED' AND au.src != :me
    UNION ALL
    SELECT g.dst FROM edges a JOIN edges g ON g.src = a.dst AND g.rel = 'IN_GROUP'
    WHERE a.src = :me AND a.rel IN ('AUTHORED', 'REACTED')
) GROUP BY target ORDER BY weight DESC, target LIMIT :limit
"""
TAG = "#"


def _now() -> int:
    """Microseconds since the epoch: orders edges by when they were first added."""
    return time.time_ns() // 1000


class SqliteGraph:
    def __init__(self, path: str) -> None:
        self.path = path
        self._sql = LockedSqlite(path, SCHEMA, "graph")

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> SqliteGraph:
        # embedded: no network; it waits only for its own file locks (its busy timeout)
        return cls(sqlite_path(url))

    def _add(self, rel: str, pairs: Iterable[tuple[str, str]], *more: tuple[str, str, str]) -> None:
        """Add `rel` edges for `pairs`, and `more` (src, rel, dst) edges, in one transaction."""
        now = _now()
        rows = [(src, rel, dst, now) for src, dst in pairs]
        rows += [(src, other, dst, now) for src, other, dst in more]
        with self._sql.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?)", rows)

    def _remove(self, src: str, rel: str, dst: str) -> None:
        with self._sql.transaction() as db:
            db.execute("DELETE FROM edges WHERE src = ? AND rel = ? AND dst = ?", (src, rel, dst))

    def _rows(self, sql: str, params) -> list[tuple]:
        with self._sql.reading() as db:
            return db.execute(sql, params).fetchall()

    def add_edges(self, rel: str, pairs: Iterable[tuple[str, str]]) -> None:
        self._add(checked_relation(rel), checked_pairs(pairs))

    def follow(self, follower: str, followee: str) -> None:
        self._add(FOLLOWS, [(follower, followee)])

    def unfollow(self, follower: str, followee: str) -> None:
        self._remove(follower, FOLLOWS, followee)

    def following(self, user: str) -> list[str]:
        sql = "SELECT dst FROM edges WHERE src = ? AND rel = ? ORDER BY created DESC, dst"
        return [uuid for (uuid,) in self._rows(sql, (user, FOLLOWS))]

    def followers(self, user: str) -> list[str]:
        sql = "SELECT src FROM edges WHERE dst = ? AND rel = ? ORDER BY created DESC, src"
        return [uuid for (uuid,) in self._rows(sql, (user, FOLLOWS))]

    def is_following(self, follower: str, followee: str) -> bool:
        sql = "SELECT 1 FROM edges WHERE src = ? AND rel = ? AND dst = ?"
        return bool(self._rows(sql, (follower, FOLLOWS, followee)))

    def join(self, user: str, group: str) -> None:
        self._add(MEMBER_OF, [(user, group)])

    def leave(self, user: str, group: str) -> None:
        self._remove(user, MEMBER_OF, group)

    def authored(self, user: str, post: str, group: str | None = None) -> None:
        in_group = [(post, IN_GROUP, group)] if group else []
        self._add(AUTHORED, [(user, post)], *in_group)

    def reacted(self, user: str, post: str) -> None:
        self._add(REACTED, [(user, post)])

    def tagged(self, post: str, tags: list[str]) -> None:
        self._add(TAGGED, [(post, TAG + tag) for tag in dict.fromkeys(tags)])

    def interests(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        rows = self._rows(INTERESTS, {"me": user, "limit": limit})
        return [(tag.removeprefix(TAG), float(weight)) for tag, weight in rows]

    def suggest_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(BY_INTEREST, {"me": user, "limit": limit})
        return [interest_suggestion(uuid, score, tags.split(",")) for uuid, score, tags in rows]

    def suggest_groups_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(GROUPS_BY_INTEREST, {"me": user, "limit": limit})
        return [interest_suggestion(uuid, score, tags.split(",")) for uuid, score, tags in rows]

    def suggest_posts_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(POSTS_BY_INTEREST, {"me": user, "limit": limit})
        return [interest_suggestion(uuid, score, via.split(",")) for uuid, score, via in rows]

    def affinity(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        rows = self._rows(AFFINITY, {"me": user, "limit": limit})
        return [(uuid, float(weight)) for uuid, weight in rows]

    def suggest_people(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(PEOPLE, {"me": user, "limit": limit})
        return [person_suggestion(uuid, count) for uuid, count, _ in rows]

    def suggest_groups(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(GROUPS, {"me": user, "limit": limit})
        return [group_suggestion(uuid, count) for uuid, count, _ in rows]

    def suggest_posts(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._rows(POSTS, {"me": user, "limit": limit})
        return [
            post_suggestion(uuid, bool(authored), reactions)
            for uuid, authored, reactions, _ in rows
        ]

    def health(self) -> None:
        self._rows("SELECT count(*) FROM edges", ())

    def close(self) -> None:
        self._sql.close()
