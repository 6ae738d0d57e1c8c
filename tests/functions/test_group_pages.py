"""The group page over HTTP: GET /groups/{uuid}/posts and GET /groups?mine=1|q= — and refusals."""

from __future__ import annotations

import uuid

import pytest

from tests.functions.helpers import error, group_of, put_post

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def unique_word() -> str:
    """A word no one else's test data holds (the search index may be shared)."""
    return "w" + uuid.uuid4().hex[:12]


def pages(api, path: str, who, limit: int, **query) -> tuple[list[str], int]:
    """Every item uuid of a paged listing, following `next`; and how many pages it took."""
    seen, cursor, count = [], None, 0
    while count < 20:
        count += 1
        params = {"limit": limit, **query, **({"before": cursor} if cursor else {})}
        response = api.get(path, who=who, query_string=params)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += [item["uuid"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    return seen, count


def test_group_posts_come_newest_first_in_pages(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    club = group_of(api, ada, bob, private=False)
    posts = [put_post(services, bob, scope="group", group=club, minutes_ago=i) for i in range(7)]
    put_post(services, bob)  # Bob's public post is not the group's
    seen, count = pages(api, f"/groups/{club}/posts", ada, 3)
    assert seen == [post.uuid for post in posts] and count == 3
    outsider = api.person("Cy")  # a public group's page is open to anyone signed in
    assert pages(api, f"/groups/{club}/posts", outsider, 10)[0] == seen


def test_posts_written_through_the_api_show_on_the_group_page(api):
    ada = api.person("Ada")
    club = group_of(api, ada, private=False)
    made = api.post("/posts", who=ada, json={"text": "hi", "scope": "group", "group_uuid": club})
    assert made.status_code == 201, made.get_json()
    body = api.get(f"/groups/{club}/posts", who=ada).get_json()
    assert [p["uuid"] for p in body["items"]] == [made.get_json()["post"]["uuid"]]
    assert body["next"] is None


def test_a_private_groups_page_is_for_members_only(api, services):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    club = group_of(api, ada, bob)
    post = put_post(services, bob, scope="group", group=club)
    assert pages(api, f"/groups/{club}/posts", bob, 5)[0] == [post.uuid]
    error(api.get(f"/groups/{club}/posts", who=cy), 404)  # as if it did not exist
    assert api.delete(f"/groups/{club}/members/{bob.uuid}", who=ada).status_code == 204
    error(api.get(f"/groups/{club}/posts", who=bob), 404)  # removed: the page closes at once


def test_a_deleted_or_unknown_groups_page_is_404(api):
    ada = api.person("Ada")
    club = group_of(api, ada, private=False)
    assert api.delete(f"/groups/{club}", who=ada).status_code == 204
    error(api.get(f"/groups/{club}/posts", who=ada), 404)
    error(api.get(f"/groups/{UNKNOWN}/posts", who=ada), 404)
    error(api.get("/groups/not-a-uuid/posts", who=ada), 400, "uuid")
    error(api.get(f"/groups/{UNKNOWN}/posts"), 401)


def test_my_groups_newest_first_in_pages(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    made = [group_of(api, bob, ada, private=i % 2 == 0, name=f"Club {i}") for i in range(5)]
    group_of(api, bob, name="Bob alone")
    seen, count = pages(api, "/groups", ada, 2, mine=1)
    assert seen == made[::-1] and count == 3


def test_groups_found_by_name_only_where_the_caller_may_see_them(api):
    ada, bob, word = api.person("Ada"), api.person("Bob"), unique_word()
    public = group_of(api, ada, private=False, name=f"Hiking {word}")
    secret = group_of(api, ada, name=f"Secret {word}")
    api.settle()
    answer = api.get("/groups", who=bob, query_string={"q": word}).get_json()
    assert [g["uuid"] for g in answer["items"]] == [public] and answer["next"] is None
    assert answer["items"][0]["name"] == f"Hiking {word}"
    mine = api.get("/groups", who=ada, query_string={"q": f"secret {word}"}).get_json()
    assert [g["uuid"] for g in mine["items"]] == [secret]


def test_a_deleted_group_is_not_found_by_name(api):
    ada, word = api.person("Ada"), unique_word()
    club = group_of(api, ada, private=False, name=f"Gone {word}")
    api.settle()
    assert api.delete(f"/groups/{club}", who=ada).status_code == 204
    assert api.get("/groups", who=ada, query_string={"q": word}).get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "mine"),
        ({"q": "   "}, "mine"),
        ({"mine": 1, "q": "x"}, "q"),
        ({"mine": "lots"}, "mine"),
        ({"q": "x" * 10_001}, "q"),
        ({"mine": 1, "limit": 0}, "limit"),
        ({"mine": 1, "before": "yesterday"}, "before"),
    ],
)
def test_groups_listing_rejects_bad_query(api, query, field):
    error(api.get("/groups", who=api.person("Ada"), query_string=query), 400, field)


def test_groups_listing_needs_a_token(api):
    error(api.get("/groups", query_string={"mine": 1}), 401)


def test_group_pages_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    posts = paths["/groups/{uuid}/posts"]["get"]
    assert {p["name"] for p in posts["parameters"]} == {"uuid", "limit", "before"}
    listing = paths["/groups"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"mine", "q", "limit", "before"}
