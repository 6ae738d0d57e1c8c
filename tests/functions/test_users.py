"""users over HTTP: profiles, follows, a person's posts — and every way to ask wrongly."""

from __future__ import annotations

import uuid

import pytest

from tests.functions.helpers import error, put_post

UNKNOWN = "00000000-0000-4000-8000-000000000000"
TOO_BIG = "x" * 1_100_000


def unique_word() -> str:
    """A word no one else's test data holds (the search index may be shared)."""
    return "w" + uuid.uuid4().hex[:12]


def search_users(services, text: str) -> list[str]:
    hits = services.search.query(text, types=["users"], visible_to=["public"], limit=10)
    return [hit.uuid for hit in hits]


# --- GET /users/me, PATCH /users/me ---------------------------------------------------


def test_me_shows_my_private_fields(api):
    ada = api.person("Ada")
    response = api.get("/users/me", who=ada)
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert user["uuid"] == ada.uuid
    assert user["email"] == ada.user["email"]
    assert "phone" in user and user["name"] == "Ada"
    assert "password" not in str(user).lower()


def test_patch_me_changes_only_the_fields_given(api, services, bus_log):
    ada = api.person("Ada")
    response = api.patch("/users/me", who=ada, json={"phone": "+44 20 7946 0000"})
    assert response.status_code == 200
    assert response.get_json()["user"]["phone"] == "+44 20 7946 0000"
    assert response.get_json()["user"]["name"] == "Ada"

    response = api.patch("/users/me", who=ada, json={"name": "  Ada Lovelace  "})
    assert response.get_json()["user"]["name"] == "Ada Lovelace"
    me = api.get("/users/me", who=ada).get_json()["user"]
    assert (me["name"], me["phone"]) == ("Ada Lovelace", "+44 20 7946 0000")
    updates = bus_log.events("user.updated", ada.uuid)
    assert [e.data["name"] for e in updates] == ["Ada", "Ada Lovelace"]
    assert "email" not in updates[0].data


def test_signup_and_rename_are_indexed_for_search(api, services):
    first, second = unique_word(), unique_word()
    ada = api.person(f"Ada {first}")
    api.settle()
    assert search_users(services, first) == [ada.uuid]
    api.patch("/users/me", who=ada, json={"name": f"Augusta {second}"})
    api.settle()
    assert search_users(services, second) == [ada.uuid]
    assert search_users(services, first) == []


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"json": {}}, 400, "body"),
        ({"json": {"name": ""}}, 400, "name"),
        ({"json": {"name": "   "}}, 400, "name"),
        ({"json": {"name": 5}}, 400, "name"),
        ({"json": {"name": ["Ada"]}}, 400, "name"),
        ({"json": {"name": "x" * 101}}, 400, "name"),
        ({"json": {"phone": "call me"}}, 400, "phone"),
        ({"json": {"phone": 441234}}, 400, "phone"),
        ({"json": ["name", "Eve"]}, 400, "body"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "body"),
        ({"json": {"name": TOO_BIG}}, 413, None),
    ],
)
def test_patch_me_rejects_bad_input_and_changes_nothing(
    api, services, bus_log, kwargs, status, field
):
    ada = api.person("Ada")
    before = api.get("/users/me", who=ada).get_json()
    error(api.patch("/users/me", who=ada, **kwargs), status, field)
    assert api.get("/users/me", who=ada).get_json() == before
    assert bus_log.events("user.updated", ada.uuid) == []


# --- every route: missing, wrong and revoked tokens ---------------------------------------

ROUTES = [
    ("GET", "/users/me"),
    ("PATCH", "/users/me"),
    ("GET", "/users/{other}"),
    ("PUT", "/users/{other}/follow"),
    ("DELETE", "/users/{other}/follow"),
    ("GET", "/users/{other}/posts"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_routes_need_a_live_token(api, services, method, path):
    ada, bob = api.person("Ada"), api.person("Bob")
    path = path.format(other=bob.uuid)
    body = {"json": {"name": "Mallory"}} if method == "PATCH" else {}
    error(api.call(method, path, **body), 401)
    error(api.call(method, path, headers={"Authorization": "Bearer not-a-token"}, **body), 401)
    error(api.call(method, path, headers={"Authorization": "Basic abc"}, **body), 401)
    assert api.post("/auth/logout", who=ada).status_code == 204
    error(api.call(method, path, who=ada, **body), 401)
    assert services.accounts.get_user(ada.uuid).name == "Ada"
    assert services.graph.following(ada.uuid) == []


# --- GET /users/{uuid} ------------------------------------------------------------------


def test_public_profile_shows_counts_and_hides_private_fields(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    api.put(f"/users/{bob.uuid}/follow", who=ada)
    api.put(f"/users/{bob.uuid}/follow", who=cy)
    api.put(f"/users/{ada.uuid}/follow", who=bob)
    response = api.get(f"/users/{bob.uuid}", who=ada)
    assert response.status_code == 200
    assert response.get_json()["user"] == {
        "uuid": bob.uuid,
        "name": "Bob",
        "signup_date": bob.user["signup_date"],
        "is_private": False,
        "followers": 2,
        "following": 1,
        "followed_by_me": True,
    }
    assert api.get(f"/users/{ada.uuid}", who=cy).get_json()["user"]["followed_by_me"] is False


def test_profile_of_unknown_or_malformed_uuid(api):
    ada = api.person("Ada")
    error(api.get(f"/users/{UNKNOWN}", who=ada), 404)
    error(api.get("/users/not-a-uuid", who=ada), 400, "uuid")
    error(api.get("/users/1234", who=ada), 400, "uuid")


# --- PUT/DELETE /users/{uuid}/follow ------------------------------------------------------


def test_follow_then_unfollow(api, services, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    assert api.put(f"/users/{bob.uuid}/follow", who=ada).status_code == 204
    assert services.graph.is_following(ada.uuid, bob.uuid)
    assert not services.graph.is_following(bob.uuid, ada.uuid)
    assert api.get(f"/users/{bob.uuid}", who=bob).get_json()["user"]["followers"] == 1

    assert api.put(f"/users/{bob.uuid}/follow", who=ada).status_code == 204  # idempotent
    assert services.graph.followers(bob.uuid) == [ada.uuid]
    followed = bus_log.events("user.followed", bob.uuid)
    assert [e.data for e in followed] == [{"follower": ada.uuid, "followee": bob.uuid}]

    assert api.delete(f"/users/{bob.uuid}/follow", who=ada).status_code == 204
    assert not services.graph.is_following(ada.uuid, bob.uuid)
    assert api.delete(f"/users/{bob.uuid}/follow", who=ada).status_code == 204  # idempotent
    unfollowed = bus_log.events("user.unfollowed", bob.uuid)
    assert [e.data for e in unfollowed] == [{"follower": ada.uuid, "followee": bob.uuid}]
    assert api.get(f"/users/{bob.uuid}", who=ada).get_json()["user"]["followers"] == 0


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_follow_rejects_self_unknown_and_malformed(api, services, method):
    ada, bob = api.person("Ada"), api.person("Bob")
    api.put(f"/users/{bob.uuid}/follow", who=ada)
    error(api.call(method, f"/users/{ada.uuid}/follow", who=ada), 400, "uuid")
    error(api.call(method, f"/users/{UNKNOWN}/follow", who=ada), 404)
    error(api.call(method, "/users/bob/follow", who=ada), 400, "uuid")
    error(api.call(method, f"/users/{bob.uuid}/follow", who=ada, data=TOO_BIG), 413)
    assert services.graph.following(ada.uuid) == [bob.uuid]
    assert services.graph.followers(ada.uuid) == []


# --- GET /users/{uuid}/posts ------------------------------------------------------------


def _uuids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [post["uuid"] for post in response.get_json()["items"]]


def test_posts_show_only_what_the_caller_may_see(api, services):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    secret = api.post("/groups", who=bob, json={"name": "Secret", "is_private": True})
    club = api.post("/groups", who=bob, json={"name": "Club"})
    secret_uuid, club_uuid = secret.get_json()["group"]["uuid"], club.get_json()["group"]["uuid"]
    public = put_post(services, bob, minutes_ago=1)
    followers = put_post(services, bob, scope="followers", minutes_ago=2)
    in_secret = put_post(services, bob, scope="group", group=secret_uuid, minutes_ago=3)
    in_club = put_post(services, bob, scope="group", group=club_uuid, minutes_ago=4)
    put_post(services, cy, minutes_ago=0)  # someone else's: never listed under Bob

    path = f"/users/{bob.uuid}/posts"
    assert _uuids(api.get(path, who=ada)) == [public.uuid, in_club.uuid]
    api.put(f"/users/{bob.uuid}/follow", who=ada)
    assert _uuids(api.get(path, who=ada)) == [public.uuid, followers.uuid, in_club.uuid]
    api.post(f"/groups/{secret_uuid}/members", who=bob, json={"user_uuid": ada.uuid})
    everything = [public.uuid, followers.uuid, in_secret.uuid, in_club.uuid]
    assert _uuids(api.get(path, who=ada)) == everything
    assert _uuids(api.get(path, who=bob)) == everything
    assert _uuids(api.get(f"/users/{bob.uuid}/posts", who=cy)) == [public.uuid, in_club.uuid]


def test_posts_page_newest_first_with_a_cursor(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    posts = [put_post(services, bob, minutes_ago=i) for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"before": cursor} if cursor else {})}
        body = api.get(f"/users/{bob.uuid}/posts", who=ada, query_string=query).get_json()
        seen += [post["uuid"] for post in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [post.uuid for post in posts]
    assert pages == 3


def test_posts_keep_reading_past_what_the_caller_may_not_see(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    hidden = [put_post(services, bob, scope="followers", minutes_ago=i) for i in range(10)]
    shown = [put_post(services, bob, minutes_ago=20 + i) for i in range(3)]
    first = api.get(f"/users/{bob.uuid}/posts", who=ada, query_string={"limit": 2}).get_json()
    assert [p["uuid"] for p in first["items"]] == [shown[0].uuid, shown[1].uuid]
    assert first["next"]
    query = {"limit": 2, "before": first["next"]}
    second = api.get(f"/users/{bob.uuid}/posts", who=ada, query_string=query).get_json()
    assert [p["uuid"] for p in second["items"]] == [shown[2].uuid]
    assert second["next"] is None
    assert hidden  # Bob sees his own followers-only posts first
    own = api.get(f"/users/{bob.uuid}/posts", who=bob, query_string={"limit": 2}).get_json()
    assert [p["uuid"] for p in own["items"]] == [hidden[0].uuid, hidden[1].uuid]


def test_posts_reading_is_bounded_but_never_loses_a_post(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    for i in range(40):
        put_post(services, bob, scope="followers", minutes_ago=i)
    public = put_post(services, bob, minutes_ago=100)
    found, cursor, calls = [], None, 0
    while calls < 20:
        calls += 1
        query = {"limit": 1, **({"before": cursor} if cursor else {})}
        body = api.get(f"/users/{bob.uuid}/posts", who=ada, query_string=query).get_json()
        found += [p["uuid"] for p in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert found == [public.uuid]
    assert calls > 1  # the first call gave up early, with a cursor to go on from


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"before": "yesterday"}, "before"),
    ],
)
def test_posts_reject_bad_query(api, services, query, field):
    ada, bob = api.person("Ada"), api.person("Bob")
    error(api.get(f"/users/{bob.uuid}/posts", who=ada, query_string=query), 400, field)


def test_posts_of_unknown_or_malformed_user(api):
    ada = api.person("Ada")
    error(api.get(f"/users/{UNKNOWN}/posts", who=ada), 404)
    error(api.get("/users/nobody/posts", who=ada), 400, "uuid")
