"""A private account approves its followers, so its `followers` posts reach only people it
let in; an open account is followed at once (its `followers` scope is an audience choice)."""

from __future__ import annotations

from tests.functions.helpers import error, post_of


def followers_post(api, author) -> str:
    return post_of(api, author, "for my followers", scope="followers")["uuid"]


def test_a_private_accounts_followers_are_approved_first(api):
    ada, bob, eve = api.person("Ada"), api.person("Bob"), api.person("Eve")
    assert api.patch("/users/me", who=ada, json={"is_private": True}).get_json()["user"][
        "is_private"
    ]
    post = followers_post(api, ada)
    for asker in (bob, eve):
        asked = api.put(f"/users/{ada.uuid}/follow", who=asker)
        assert asked.status_code == 202 and asked.get_json()["status"] == "requested"
    error(api.get(f"/posts/{post}", who=bob), 404)  # asking is not following
    waiting = api.get("/users/me/follow-requests", who=ada).get_json()["items"]
    assert [item["user"]["uuid"] for item in waiting] == [bob.uuid, eve.uuid]
    assert api.put(f"/users/me/followers/{bob.uuid}", who=ada).status_code == 204
    assert api.delete(f"/users/me/followers/{eve.uuid}", who=ada).status_code == 204
    assert api.get(f"/posts/{post}", who=bob).status_code == 200
    error(api.get(f"/posts/{post}", who=eve), 404)
    assert api.get("/users/me/follow-requests", who=ada).get_json()["items"] == []
    error(api.put(f"/users/me/followers/{eve.uuid}", who=ada), 404, "user")
    assert api.delete(f"/users/me/followers/{bob.uuid}", who=ada).status_code == 204
    error(api.get(f"/posts/{post}", who=bob), 404)  # a removed follower sees no more


def test_no_one_approves_for_someone_else(api):
    ada, bob, eve = api.person("Ada"), api.person("Bob"), api.person("Eve")
    api.patch("/users/me", who=ada, json={"is_private": True})
    api.put(f"/users/{ada.uuid}/follow", who=bob)
    error(api.put(f"/users/me/followers/{bob.uuid}", who=eve), 404, "user")
    assert api.get("/users/me/follow-requests", who=eve).get_json()["items"] == []
    error(api.patch("/users/me", who=ada, json={"is_private": "yes"}), 400, "is_private")


def test_an_open_account_is_followed_at_once(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    post = followers_post(api, ada)
    assert api.put(f"/users/{ada.uuid}/follow", who=bob).status_code == 204
    assert api.get(f"/posts/{post}", who=bob).status_code == 200
