"""GET /search: ranked hits over posts, users and groups — only what the caller may see."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared.records import SearchDoc, utcnow
from tests.functions.helpers import error, group_of, post_of, put_post

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def unique_word() -> str:
    """A word no other test or run writes: the search index may be shared."""
    return "w" + uuid.uuid4().hex[:12]


def found(api, who, q, type_="posts", **query) -> list[str]:
    response = api.get("/search", who=who, query_string={"q": q, "type": type_, **query})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert all(set(item) >= {"type", "uuid", "score", "snippet"} for item in items)
    assert all(item["type"] == type_ for item in items)
    return [item["uuid"] for item in items]


def test_posts_are_found_best_first(api):
    ada, river = api.person("Ada"), unique_word()
    weak = write(api, ada, f"a walk by the {river}, then tea at home with a book")
    strong = write(api, ada, f"{river} {river} {river}: the {river} festival")
    write(api, ada, "nothing to do with water")
    api.settle()
    response = api.get("/search", who=ada, query_string={"q": river})
    items = response.get_json()["items"]
    assert [item["uuid"] for item in items] == [strong, weak]
    assert items[0]["score"] >= items[1]["score"] and river in items[0]["snippet"].lower()
    assert found(api, ada, river, limit=1) == [strong]


def test_private_group_posts_are_found_by_members_only(api):
    ada, member, eve = api.person("Ada"), api.person("Mem"), api.person("Eve")
    club, word = group_of(api, ada, member), unique_word()  # the index may be shared
    post = write(api, ada, f"secret {word} recipe", scope="group", group_uuid=club)
    api.settle()
    assert found(api, member, word) == [post]
    assert found(api, eve, word) == []
    assert api.delete(f"/groups/{club}/members/{member.uuid}", who=member).status_code == 204
    assert found(api, member, word) == []


def test_a_deleted_groups_posts_leave_search(api):
    ada, eve, word = api.person("Ada"), api.person("Eve"), unique_word()
    club = group_of(api, ada, private=False)
    post = write(api, ada, f"open meeting minutes {word}", scope="group", group_uuid=club)
    api.settle()
    assert found(api, eve, f"minutes {word}") == [post]
    assert api.delete(f"/groups/{club}", who=ada).status_code == 204
    api.settle()
    assert found(api, eve, f"minutes {word}") == []


def test_followers_posts_are_found_by_followers_and_the_author(api):
    ada, fan, eve = api.person("Ada"), api.person("Fan"), api.person("Eve")
    api.put(f"/users/{ada.uuid}/follow", who=fan)
    post = write(api, ada, "birdwatching log for friends", scope="followers")
    api.settle()
    assert found(api, ada, "birdwatching") == [post]
    assert found(api, fan, "birdwatching") == [post]
    assert found(api, eve, "birdwatching") == []
    api.delete(f"/users/{ada.uuid}/follow", who=fan)
    assert found(api, fan, "birdwatching") == []


def test_users_and_groups_are_searchable_with_the_same_rules(api):
    ada, eve, word = api.person("Zebulon Quist"), api.person("Eve"), unique_word()
    public = group_of(api, ada, name=f"Quilting circle {word}", private=False)
    hidden = group_of(api, ada, name=f"Quilting secrets {word}")
    api.settle()
    assert ada.uuid in found(api, eve, "Quist", "users")
    assert found(api, eve, f"quilting {word}", "groups") == [public]
    assert set(found(api, ada, f"quilting {word}", "groups")) == {public, hidden}
    assert api.delete(f"/groups/{public}", who=ada).status_code == 204
    assert found(api, eve, f"quilting {word}", "groups") == []


def test_query_syntax_is_just_words(api):
    ada, word = api.person("Ada"), unique_word()
    post = write(api, ada, f"cats AND dogs (together) {word}")
    api.settle()
    for q in ['"cats', "cats AND", "(dogs", "*", "cats:dogs", "NOT", "-"]:
        found(api, ada, q)
    assert found(api, ada, f'"cats AND dogs {word}"') == [post]


@pytest.mark.parametrize(
    "query, field",
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 10_001}, "q"),
        ({"q": "x", "type": "messages"}, "type"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": "lots"}, "limit"),
    ],
)
def test_bad_search_queries_name_the_field(api, query, field):
    error(api.get("/search", who=api.person("Ada"), query_string=query), 400, field)


def test_search_needs_a_live_token(api):
    ada = api.person("Ada")
    error(api.get("/search", query_string={"q": "x"}), 401)
    error(api.get("/search", query_string={"q": "x"}, headers={"Authorization": "Bearer x"}), 401)
    api.post("/auth/logout", who=ada)
    error(api.get("/search", who=ada, query_string={"q": "x"}), 401)


def write(api, who, text, **fields) -> str:
    return post_of(api, who, text, **fields)["uuid"]


def indexed_post(services, author, text: str, *, days_ago: float = 0) -> str:
    """A public post stored and indexed as if written `days_ago` days before now."""
    post = put_post(services, author, text=text, at=utcnow() - timedelta(days=days_ago))
    services.search.index(
        SearchDoc("posts", post.uuid, post.name, text, ("public",), post.created_at)
    )
    return post.uuid


def test_of_equally_relevant_posts_the_newer_ranks_first(api, services):
    ada, bob, word = api.person("Ada"), api.person("Bob"), unique_word()
    old = indexed_post(services, bob, f"{word} at the harbour", days_ago=60)
    new = indexed_post(services, bob, f"{word} at the harbour", days_ago=1)
    items = api.get("/search", who=ada, query_string={"q": word}).get_json()["items"]
    assert [item["uuid"] for item in items] == [new, old]
    assert items[0]["score"] > items[1]["score"]


def test_posts_of_people_i_follow_rank_above_strangers_posts(api, services):
    ada, bob, cy, word = api.person("Ada"), api.person("Bob"), api.person("Cy"), unique_word()
    stranger = indexed_post(services, cy, f"{word} at the harbour")
    friend = indexed_post(services, bob, f"{word} at the harbour")
    assert api.put(f"/users/{bob.uuid}/follow", who=ada).status_code == 204
    api.settle()
    assert found(api, ada, word) == [friend, stranger]
    assert found(api, cy, word) == [stranger, friend]  # Cy's own post is in Cy's circle


def test_the_boosts_do_not_lift_a_weak_match_over_a_strong_one(api, services):
    ada, bob, cy, word = api.person("Ada"), api.person("Bob"), api.person("Cy"), unique_word()
    strong = indexed_post(services, cy, f"{word} {word} {word}: all about {word}", days_ago=90)
    weak = indexed_post(services, bob, f"a long day, tea, a walk, and then {word} at last")
    assert api.put(f"/users/{bob.uuid}/follow", who=ada).status_code == 204
    api.settle()
    assert found(api, ada, word) == [strong, weak]


def test_a_comment_makes_its_post_findable_by_the_comments_words(api):
    ada, bob, word = api.person("Ada"), api.person("Bob"), unique_word()
    post = write(api, ada, "Jam session on Friday")
    comment = api.post(f"/posts/{post}/comments", who=bob, json={"text": f"count me in {word}"})
    assert comment.status_code == 201
    api.settle()
    assert found(api, bob, word) == [post]
    assert found(api, bob, f"session {word}") == [post]  # the post's words and the comment's
