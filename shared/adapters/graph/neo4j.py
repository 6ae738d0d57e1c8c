"""Graph on Neo4j: Cypher over Bolt.

URL: ``bolt://host:port`` or ``neo4j://host:port`` (routing), with optional
``user:password@``; no credentials means no auth. ``bolt+s://`` / ``neo4j+s://``
use TLS.

Nodes are (:User), (:Group), (:Post), each unique by `uuid` (constraints created
IF NOT EXISTS on first use). Edges are MERGEd, so adding one twice keeps one with
its first `created`; `add_edges` writes a batch with one UNWIND per chunk. Reads
and writes run as managed transactions, which the driver retries on transient
errors; a server that stays unreachable raises Unavailable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from shared.adapters.graph import (
    AUTHORED,
    FOLLOWS,
    MEMBER_OF,
    REACTED,
    WROTE_WEIGHT,
    checked_pairs,
    checked_relation,
    group_suggestion,
    interest_suggestion,
    person_suggestion,
    post_suggestion,
)
from shared.backends import DEFAULT_TIMEOUT
from shared.errors import Unavailable
from shared.records import Suggestion

BATCH = 1000
CONSTRAINTS = [
    f"CREATE CONSTRAINT {label.lower()}_uuid IF NOT EXISTS FOR (n:{label}) REQUIRE n.uuid IS UNIQUE"
    for label in ("User", "Group", "Post")
] + ["CREATE CONSTRAINT hashtag_name IF NOT EXISTS FOR (h:Hashtag) REQUIRE h.name IS UNIQUE"]
TARGET = {FOLLOWS: "User", MEMBER_OF: "Group", AUTHORED: "Post", REACTED: "Post"}
# labels and relationship types cannot be query parameters: one query per relation
ADD = {
    rel: f"""UNWIND $pairs AS pair
    MERGE (a:User {{uuid: pair[0]}}) MERGE (b:{label} {{uuid: pair[1]}})
    MERGE (a)-[r:{rel}]->(b) ON CREATE SET r.created = datetime()"""
    for rel, label in TARGET.items()
}
REMOVE = {
    rel: f"MATCH (:User {{uuid: $src}})-[r:{rel}]->(:{label} {{uuid: $dst}}) DELETE r"
    for rel, label in TARGET.items()
}
AUTHORED_IN_GROUP = """MERGE (a:User {uuid: $user}) MERGE (p:Post {uuid: $post})
MERGE (a)-[r:AUTHORED]->(p) ON CREATE SET r.created = datetime()
WITH p MERGE (g:Group {uuid: $group})
MERGE (p)-[i:IN_GROUP]->(g) ON CREATE SET i.created = datetime()"""
TAG = """UNWIND $tags AS tag MERGE (p:Post {uuid: $post}) MERGE (h:Hashtag {name: tag})
MERGE (p)-[r:TAGGED]->(h) ON CREATE SET r.created = datetime()"""
MY_TAGS = f"""MATCH (me:User {{uuid: $me}})-[r:AUTHORED|REACTED]->(:Post)-[:TAGGED]->(h:Hashtag)
WITH me, h, sum(CASE type(r) WHEN 'AUTHORED' THEN {WROTE_WEIGHT} ELSE 1 END) AS weight"""
INTERESTS = MY_TAGS + "\nRETURN h.name AS tag, weight ORDER BY weight DESC, tag LIMIT $limit"
BY_INTEREST = (
    MY_TAGS
    + """
MATCH (h)<-[:TAGGED]-(p:Post)<-[:AUTHORED]-(u:User)
WHERE u <> me AND NOT (me)-[:FOLLOWS]->(u)
  AND NOT EXISTS { MATCH (p)-[:IN_GROUP]->(g:Group) WHERE NOT (me)-[:MEMBER_OF]->(g) }
RETURN u.uuid AS uuid, sum(weight) AS score, collect(DISTINCT h.name) AS tags
ORDER BY score DESC, uuid LIMIT $limit"""
)
GROUPS_BY_INTEREST = (
    MY_TAGS
    + """
MATCH (h)<-[:TAGGED]-(:Post)-[:IN_GROUP]->(g:Group)
WHERE NOT (me)-[:MEMBER_OF]->(g)
RETURN g.uuid AS uuid, sum(weight) AS score, collect(DISTINCT h.name) AS tags
ORDER BY score DESC, uuid LIMIT $limit"""
)
POSTS_BY_INTEREST = (
    MY_TAGS
    + """
MATCH (h)<-[:TAGGED]-(:Post)<-[:AUTHORED]-(u:User) WHERE u <> me
WITH me, collect(DISTINCT u) AS alike
UNWIND alike AS u
MATCH (u)-[:REACTED]->(p:Post)
WHERE NOT (me)-[:AUTHORED]->(p)
  AND NOT EXISTS { MATCH (p)-[:IN_GROUP]->(g:Group) WHERE NOT (me)-[:MEMBER_OF]->(g) }
RETURN p.uuid AS uuid, count(DISTINCT u) AS score, collect(DISTINCT u.uuid) AS via
ORDER BY score DESC, uuid LIMIT $limit"""
)
AFFINITY = """CALL {
    MATCH (me:User {uuid: $me})-[:REACTED]->(:Post)<-[:AUTHORED]-(a:User) WHERE a <> me
    RETURN a.uuid AS target
    UNION ALL
    MATCH (:User {uuid: $me})-[:AUTHORED|REACTED]->(:Post)-[:IN_GROUP]->(g:Group)
    RETURN g.uuid AS target
}
RETURN target, count(*) AS weight ORDER BY weight DESC, target LIMIT $limit"""
FOLLOWING = """MATCH (:User {uuid: $user})-[r:FOLLOWS]->(u:User)
RETURN u.uuid AS uuid ORDER BY r.created DESC, uuid"""
FOLLOWERS = """MATCH (:User {uuid: $user})<-[r:FOLLOWS]-(u:User)
RETURN u.uuid AS uuid ORDER BY r.created DESC, uuid"""
IS_FOLLOWING = "MATCH (:User {uuid: $src})-[r:FOLLOWS]->(:User {uuid: $dst}) RETURN count(r) > 0"
PEOPLE = """MATCH (me:User {uuid: $me})-[:FOLLOWS]->(f:User)-[r:FOLLOWS]->(p:User)
WHERE p <> me AND NOT (me)-[:FOLLOWS]->(p)
RETURN p.uuid AS uuid, count(DISTINCT f) AS score, max(r.created) AS latest
ORDER BY score DESC, latest DESC, uuid LIMIT $limit"""
GROUPS = """MATCH (me:User {uuid: $me})-[:FOLLOWS]->(f:User)-[r:MEMBER_OF]->(g:Group)
WHERE NOT (me)-[:MEMBER_OF]->(g)
RETURN g.uuid AS uuid, count(DISTINCT f) AS score, max(r.created) AS latest
ORDER BY score DESC, latest DESC, uuid LIMIT $limit"""
# a group's posts only for its members; never the caller's own posts
POSTS = """MATCH (me:User {uuid: $me})-[:FOLLOWS]->(f:User)-[r:AUTHORED|REACTED]->(p:Post)
WHERE NOT (me)-[:AUTHORED]->(p)
  AND NOT EXISTS { MATCH (p)-[:IN_GROUP]->(g:Group) WHERE NOT (me)-[:MEMBER_OF]->(g) }
WITH p, max(CASE type(r) WHEN 'AUTHORED' THEN 1 ELSE 0 END) AS authored,
     count(DISTINCT CASE type(r) WHEN 'REACTED' THEN f END) AS reactions,
     max(r.created) AS latest
RETURN p.uuid AS uuid, authored, reactions
ORDER BY authored + reactions DESC, latest DESC, uuid LIMIT $limit"""


def _records(tx: ManagedTransaction, query: str, params: dict) -> list[Any]:
    return list(tx.run(query, params))


class Neo4jGraph:
    def __init__(
        self, uri: str, auth: tuple[str, str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.uri = uri
        self.driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=timeout,
            connection_acquisition_timeout=timeout,
            max_transaction_retry_time=timeout,
        )
        self._ready = False

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Neo4jGraph:
        parts = urlsplit(url)
        auth = (parts.username, parts.password or "") if parts.username else None
        netloc = f"{parts.hostname or '127.0.0.1'}:{parts.port or 7687}"
        return cls(urlunsplit((parts.scheme, netloc, "", parts.query, "")), auth, timeout=timeout)

    def _run(self, write: bool, query: str, **params: Any) -> list[Any]:
        try:
            self._ensure_schema()
            with self.driver.session() as session:
                execute = session.execute_write if write else session.execute_read
                return execute(_records, query, params)
        except (ServiceUnavailable, SessionExpired) as error:
            self._ready = False  # a server back from an outage may have lost its constraints
            raise Unavailable(f"graph server {self.uri} unavailable: {error}") from error

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self.driver.session() as session:
            for constraint in CONSTRAINTS:
                session.run(constraint).consume()
        self._ready = True

    def _write(self, query: str, **params: Any) -> None:
        self._run(True, query, **params)

    def _read(self, query: str, **params: Any) -> list[Any]:
        return self._run(False, query, **params)

    def add_edges(self, rel: str, pairs: Iterable[tuple[str, str]]) -> None:
        query, rows = ADD[checked_relation(rel)], checked_pairs(pairs)
        for start in range(0, len(rows), BATCH):
            self._write(query, pairs=[list(pair) for pair in rows[start : start + BATCH]])

    def follow(self, follower: str, followee: str) -> None:
        self._write(ADD[FOLLOWS], pairs=[[follower, followee]])

    def unfollow(self, follower: str, followee: str) -> None:
        self._write(REMOVE[FOLLOWS], src=follower, dst=followee)

    def following(self, user: str) -> list[str]:
        return [record["uuid"] for record in self._read(FOLLOWING, user=user)]

    def followers(self, user: str) -> list[str]:
        return [record["uuid"] for record in self._read(FOLLOWERS, user=user)]

    def is_following(self, follower: str, followee: str) -> bool:
        return bool(self._read(IS_FOLLOWING, src=follower, dst=followee)[0][0])

    def join(self, user: str, group: str) -> None:
        self._write(ADD[MEMBER_OF], pairs=[[user, group]])

    def leave(self, user: str, group: str) -> None:
        self._write(REMOVE[MEMBER_OF], src=user, dst=group)

    def authored(self, user: str, post: str, group: str | None = None) -> None:
        if group:
            self._write(AUTHORED_IN_GROUP, user=user, post=post, group=group)
        else:
            self._write(ADD[AUTHORED], pairs=[[user, post]])

    def reacted(self, user: str, post: str) -> None:
        self._write(ADD[REACTED], pairs=[[user, post]])

    def tagged(self, post: str, tags: list[str]) -> None:
        self._write(TAG, post=post, tags=list(dict.fromkeys(tags)))

    def interests(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        return [
            (row["tag"], float(row["weight"]))
            for row in self._read(INTERESTS, me=user, limit=limit)
        ]

    def suggest_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(BY_INTEREST, me=user, limit=limit)
        return [interest_suggestion(row["uuid"], row["score"], row["tags"]) for row in rows]

    def suggest_groups_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(GROUPS_BY_INTEREST, me=user, limit=limit)
        return [interest_suggestion(row["uuid"], row["score"], row["tags"]) for row in rows]

    def suggest_posts_by_interest(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(POSTS_BY_INTEREST, me=user, limit=limit)
        return [interest_suggestion(row["uuid"], row["score"], row["via"]) for row in rows]

    def affinity(self, user: str, *, limit: int) -> list[tuple[str, float]]:
        rows = self._read(AFFINITY, me=user, limit=limit)
        return [(row["target"], float(row["weight"])) for row in rows]

    def suggest_people(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(PEOPLE, me=user, limit=limit)
        return [person_suggestion(row["uuid"], row["score"]) for row in rows]

    def suggest_groups(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(GROUPS, me=user, limit=limit)
        return [group_suggestion(row["uuid"], row["score"]) for row in rows]

    def suggest_posts(self, user: str, *, limit: int) -> list[Suggestion]:
        rows = self._read(POSTS, me=user, limit=limit)
        return [
            post_suggestion(row["uuid"], bool(row["authored"]), row["reactions"]) for row in rows
        ]

    def health(self) -> None:
        try:
            self.driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, OSError) as error:
            raise Unavailable(f"graph server {self.uri} unavailable: {error}") from error

    def close(self) -> None:
        self.driver.close()
