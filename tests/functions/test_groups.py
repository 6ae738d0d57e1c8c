"""groups over HTTP: create, see, delete; join, add, promote, leave, remove — and refusals."""

from __future__ import annotations

import uuid

import pytest

from functions.groups.groups import index_group_for_search
from shared.context import Context
from tests.functions.helpers import error

UNKNOWN = "00000000-0000-4000-8000-000000000000"
TOO_BIG = "x" * 1_100_000


def new_group(api, who, name="Chess club", **extra) -> dict:
    response = api.post("/groups", who=who, json={"name": name, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["group"]


def members(api, group: dict, who) -> dict[str, bool]:
    """{user uuid: is_admin} of the group's active members."""
    response = api.get(f"/groups/{group['uuid']}/members", who=who)
    assert response.status_code == 200, response.get_json()
    return {m["user_uuid"]: m["is_admin"] for m in response.get_json()["items"]}


def unique_word() -> str:
    """A word no one else's test data holds (the search index may be shared)."""
    return "w" + uuid.uuid4().hex[:12]


def search_groups(services, text: str, tokens: list[str]) -> list[str]:
    return [
        h.uuid for h in services.search.query(text, types=["groups"], visible_to=tokens, limit=10)
    ]


# --- POST /groups -----------------------------------------------------------------------


def test_create_group_makes_the_creator_its_admin(api, services, bus_log):
    ada = api.person("Ada")
    group = new_group(api, ada, "  Chess club  ")
    assert group["name"] == "Chess club"
    assert (group["is_private"], group["created_by"], group["user_count"]) == (False, ada.uuid, 1)
    assert group["is_active"] is True
    assert members(api, group, ada) == {ada.uuid: True}
    assert [e["subject"] for e in bus_log.events("group.created", group["uuid"])] == [group["uuid"]]
    joined = bus_log.events("group.member_joined", group["uuid"])
    assert [e.data for e in joined] == [{"group": group["uuid"], "user": ada.uuid}]


def test_groups_are_indexed_for_search_by_visibility(api, services):
    ada = api.person("Ada")
    word = unique_word()
    public = new_group(api, ada, f"Open {word}")
    private = new_group(api, ada, f"Secret {word}", is_private=True)
    api.settle()
    assert search_groups(services, word, ["public"]) == [public["uuid"]]
    found = search_groups(services, word, ["public", f"group:{private['uuid']}"])
    assert sorted(found) == sorted([public["uuid"], private["uuid"]])


def test_joins_and_leaves_are_mirrored_into_the_graph(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    api.put(f"/users/{bob.uuid}/follow", who=ada)
    group = new_group(api, ada)
    api.post(f"/groups/{group['uuid']}/members", who=bob)
    api.settle()
    # Ada is a member, so the group is not suggested to her; make a second group Bob joins.
    other = new_group(api, api.person("Cy"), "Go club")
    api.post(f"/groups/{other['uuid']}/members", who=bob)
    api.settle()
    assert [s.uuid for s in services.graph.suggest_groups(ada.uuid, limit=10)] == [other["uuid"]]
    api.delete(f"/groups/{other['uuid']}/members/{bob.uuid}", who=bob)
    api.settle()
    assert services.graph.suggest_groups(ada.uuid, limit=10) == []


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"json": {}}, 400, "name"),
        ({"json": {"is_private": True}}, 400, "name"),
        ({"json": {"name": ""}}, 400, "name"),
        ({"json": {"name": 7}}, 400, "name"),
        ({"json": {"name": "x" * 101}}, 400, "name"),
        ({"json": {"name": "Club", "is_private": "yes"}}, 400, "is_private"),
        ({"json": {"name": "Club", "is_private": 1}}, 400, "is_private"),
        ({"json": "Club"}, 400, "body"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "body"),
        ({"json": {"name": TOO_BIG}}, 413, None),
    ],
)
def test_create_group_rejects_bad_input(api, services, bus_log, kwargs, status, field):
    ada = api.person("Ada")
    error(api.post("/groups", who=ada, **kwargs), status, field)
    assert services.accounts.groups_of(ada.uuid) == []
    assert bus_log.events("group.created", ada.uuid) == []


# --- GET /groups/{uuid}, DELETE /groups/{uuid} --------------------------------------------


def test_a_public_group_is_visible_to_anyone_signed_in(api):
    ada, eve = api.person("Ada"), api.person("Eve")
    group = new_group(api, ada)
    response = api.get(f"/groups/{group['uuid']}", who=eve)
    assert response.status_code == 200
    assert response.get_json()["group"] == group
    assert members(api, group, eve) == {ada.uuid: True}


def test_a_private_group_is_invisible_to_non_members(api):
    ada, bob, eve = api.person("Ada"), api.person("Bob"), api.person("Eve")
    group = new_group(api, ada, is_private=True)
    api.post(f"/groups/{group['uuid']}/members", who=ada, json={"user_uuid": bob.uuid})
    assert api.get(f"/groups/{group['uuid']}", who=bob).get_json()["group"]["is_private"] is True
    assert members(api, group, bob) == {ada.uuid: True, bob.uuid: False}
    error(api.get(f"/groups/{group['uuid']}", who=eve), 404)
    error(api.get(f"/groups/{group['uuid']}/members", who=eve), 404)
    error(api.post(f"/groups/{group['uuid']}/members", who=eve), 404)
    error(api.delete(f"/groups/{group['uuid']}", who=eve), 404)
    error(
        api.patch(f"/groups/{group['uuid']}/members/{eve.uuid}", who=eve, json={"is_admin": True}),
        404,
    )
    assert members(api, group, ada) == {ada.uuid: True, bob.uuid: False}


def test_unknown_or_malformed_group(api):
    ada = api.person("Ada")
    for method in ("GET", "DELETE"):
        error(api.call(method, f"/groups/{UNKNOWN}", who=ada), 404)
        error(api.call(method, "/groups/chess", who=ada), 400, "uuid")
    error(api.get(f"/groups/{UNKNOWN}/members", who=ada), 404)
    error(api.post(f"/groups/{UNKNOWN}/members", who=ada), 404)
    error(api.get("/groups/123/members", who=ada), 400, "uuid")


def test_only_an_admin_deletes_a_group(api, services, bus_log):
    ada, bob, eve = api.person("Ada"), api.person("Bob"), api.person("Eve")
    word = unique_word()
    group = new_group(api, ada, f"Chess {word}")
    api.post(f"/groups/{group['uuid']}/members", who=bob)
    api.settle()
    assert search_groups(services, word, ["public"]) == [group["uuid"]]
    error(api.delete(f"/groups/{group['uuid']}", who=bob), 403)
    error(api.delete(f"/groups/{group['uuid']}", who=eve), 403)
    assert api.get(f"/groups/{group['uuid']}", who=eve).status_code == 200
    assert bus_log.events("group.deleted", group["uuid"]) == []

    assert api.delete(f"/groups/{group['uuid']}", who=ada).status_code == 204
    assert services.accounts.get_group(group["uuid"]).is_active is False
    for who in (ada, bob, eve):
        error(api.get(f"/groups/{group['uuid']}", who=who), 404)
        error(api.get(f"/groups/{group['uuid']}/members", who=who), 404)
    error(api.post(f"/groups/{group['uuid']}/members", who=eve), 404)
    error(api.delete(f"/groups/{group['uuid']}", who=ada), 404)
    assert [e.data["group"] for e in bus_log.events("group.deleted", group["uuid"])] == [
        group["uuid"]
    ]
    api.settle()
    assert search_groups(services, word, ["public"]) == []


def test_a_deleted_group_stays_out_of_search_whichever_event_is_indexed_last(
    api, services, bus_log
):
    ada, word = api.person("Ada"), unique_word()
    group = new_group(api, ada, f"Rowing {word}")
    assert api.delete(f"/groups/{group['uuid']}", who=ada).status_code == 204
    api.settle()
    [created] = bus_log.events("group.created", group["uuid"])
    [deleted] = bus_log.events("group.deleted", group["uuid"])
    ctx = Context(services=services)
    # the creation indexed after the deletion (a redelivery, another consumer's lag)
    for event in (deleted, created, created):
        index_group_for_search(event, ctx)
        assert search_groups(services, word, ["public"]) == []


# --- POST /groups/{uuid}/members ----------------------------------------------------------


def test_anyone_joins_a_public_group_once(api, services, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    response = api.post(f"/groups/{group['uuid']}/members", who=bob)
    assert response.status_code == 201
    member = response.get_json()["member"]
    assert (member["user_uuid"], member["group_uuid"], member["is_admin"]) == (
        bob.uuid,
        group["uuid"],
        False,
    )
    assert member["user_name"] == "Bob"
    error(api.post(f"/groups/{group['uuid']}/members", who=bob, json={}), 409)
    error(api.post(f"/groups/{group['uuid']}/members", who=ada), 409)
    assert members(api, group, bob) == {ada.uuid: True, bob.uuid: False}
    assert api.get(f"/groups/{group['uuid']}", who=bob).get_json()["group"]["user_count"] == 2
    joined = [e.data for e in bus_log.events("group.member_joined", group["uuid"])]
    assert joined == [{"group": group["uuid"], "user": u} for u in (ada.uuid, bob.uuid)]


def test_only_admins_add_others_or_let_people_into_private_groups(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    public = new_group(api, ada)
    api.post(f"/groups/{public['uuid']}/members", who=bob)
    path = f"/groups/{public['uuid']}/members"
    error(api.post(path, who=bob, json={"user_uuid": cy.uuid}), 403)
    assert api.post(path, who=cy, json={"user_uuid": cy.uuid}).status_code == 201  # that is joining
    assert api.post(path, who=ada, json={"user_uuid": api.person("Di").uuid}).status_code == 201

    private = new_group(api, ada, "Inner circle", is_private=True)
    path = f"/groups/{private['uuid']}/members"
    response = api.post(path, who=ada, json={"user_uuid": bob.uuid})
    assert response.status_code == 201
    assert response.get_json()["member"]["is_admin"] is False
    error(api.post(path, who=bob, json={"user_uuid": cy.uuid}), 403)
    error(api.post(path, who=cy), 404)
    assert members(api, private, ada) == {ada.uuid: True, bob.uuid: False}


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"json": {"user_uuid": "bob"}}, 400, "user_uuid"),
        ({"json": {"user_uuid": 42}}, 400, "user_uuid"),
        ({"json": {"user_uuid": UNKNOWN}}, 404, "user_uuid"),
        ({"json": [UNKNOWN]}, 400, "body"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "body"),
        ({"json": {"user_uuid": TOO_BIG}}, 413, None),
    ],
)
def test_adding_a_member_rejects_bad_input(api, services, bus_log, kwargs, status, field):
    ada = api.person("Ada")
    group = new_group(api, ada)
    error(api.post(f"/groups/{group['uuid']}/members", who=ada, **kwargs), status, field)
    assert members(api, group, ada) == {ada.uuid: True}
    assert len(bus_log.events("group.member_joined", group["uuid"])) == 1  # the creator's own


# --- PATCH /groups/{uuid}/members/{user} ----------------------------------------------------


def test_an_admin_promotes_and_demotes(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    api.post(f"/groups/{group['uuid']}/members", who=bob)
    path = f"/groups/{group['uuid']}/members/{bob.uuid}"
    error(api.patch(path, who=bob, json={"is_admin": True}), 403)
    assert members(api, group, ada) == {ada.uuid: True, bob.uuid: False}

    response = api.patch(path, who=ada, json={"is_admin": True})
    assert response.status_code == 200
    assert response.get_json()["member"]["is_admin"] is True
    assert response.get_json()["member"]["user_uuid"] == bob.uuid
    # two admins now: Ada may step down, and then Bob is the last one
    ada_path = f"/groups/{group['uuid']}/members/{ada.uuid}"
    assert api.patch(ada_path, who=ada, json={"is_admin": False}).status_code == 200
    error(api.patch(path, who=bob, json={"is_admin": False}), 409)
    assert members(api, group, bob) == {ada.uuid: False, bob.uuid: True}
    error(api.patch(path, who=ada, json={"is_admin": False}), 403)


def test_the_last_admin_cannot_step_down(api):
    ada = api.person("Ada")
    group = new_group(api, ada)
    error(
        api.patch(f"/groups/{group['uuid']}/members/{ada.uuid}", who=ada, json={"is_admin": False}),
        409,
    )
    assert members(api, group, ada) == {ada.uuid: True}


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"json": {}}, 400, "is_admin"),
        ({"json": {"is_admin": "yes"}}, 400, "is_admin"),
        ({"json": {"is_admin": 1}}, 400, "is_admin"),
        ({"json": {"is_admin": None}}, 400, "is_admin"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "body"),
        ({"json": {"is_admin": True, "pad": TOO_BIG}}, 413, None),
    ],
)
def test_changing_a_member_rejects_bad_input(api, kwargs, status, field):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    api.post(f"/groups/{group['uuid']}/members", who=bob)
    error(
        api.patch(f"/groups/{group['uuid']}/members/{bob.uuid}", who=ada, **kwargs), status, field
    )
    assert members(api, group, ada) == {ada.uuid: True, bob.uuid: False}


def test_changing_someone_who_is_not_a_member(api):
    ada, eve = api.person("Ada"), api.person("Eve")
    group = new_group(api, ada)
    base = f"/groups/{group['uuid']}/members"
    error(api.patch(f"{base}/{eve.uuid}", who=ada, json={"is_admin": True}), 404, "user")
    error(api.patch(f"{base}/{UNKNOWN}", who=ada, json={"is_admin": True}), 404, "user")
    error(api.patch(f"{base}/eve", who=ada, json={"is_admin": True}), 400, "user")
    assert members(api, group, ada) == {ada.uuid: True}


# --- DELETE /groups/{uuid}/members/{user} ---------------------------------------------------


def test_leave_or_be_removed(api, services, bus_log):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    group = new_group(api, ada, is_private=True)
    base = f"/groups/{group['uuid']}/members"
    for person in (bob, cy):
        api.post(base, who=ada, json={"user_uuid": person.uuid})
    error(api.delete(f"{base}/{cy.uuid}", who=bob), 403)
    error(api.delete(f"{base}/{ada.uuid}", who=bob), 403)
    assert members(api, group, ada) == {ada.uuid: True, bob.uuid: False, cy.uuid: False}

    assert api.delete(f"{base}/{bob.uuid}", who=bob).status_code == 204
    error(api.get(f"/groups/{group['uuid']}", who=bob), 404)  # private: gone from view
    assert api.delete(f"{base}/{cy.uuid}", who=ada).status_code == 204
    assert members(api, group, ada) == {ada.uuid: True}
    assert services.accounts.get_group(group["uuid"]).user_count == 1
    left = [e.data for e in bus_log.events("group.member_left", group["uuid"])]
    assert left == [{"group": group["uuid"], "user": u} for u in (bob.uuid, cy.uuid)]
    error(api.delete(f"{base}/{cy.uuid}", who=ada), 404, "user")


def test_the_last_admin_cannot_leave(api, services, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    api.post(f"/groups/{group['uuid']}/members", who=bob)
    error(api.delete(f"/groups/{group['uuid']}/members/{ada.uuid}", who=ada), 409)
    assert members(api, group, bob) == {ada.uuid: True, bob.uuid: False}
    assert bus_log.events("group.member_left", group["uuid"]) == []


def test_removing_with_malformed_ids(api):
    ada = api.person("Ada")
    group = new_group(api, ada)
    error(api.delete(f"/groups/{group['uuid']}/members/ada", who=ada), 400, "user")
    error(api.delete(f"/groups/nope/members/{ada.uuid}", who=ada), 400, "uuid")
    error(api.delete(f"/groups/{UNKNOWN}/members/{ada.uuid}", who=ada), 404)
    assert members(api, group, ada) == {ada.uuid: True}


# --- every route: missing, wrong and revoked tokens ---------------------------------------

ROUTES = [
    ("POST", "/groups", {"name": "Club"}),
    ("GET", "/groups/{group}", None),
    ("DELETE", "/groups/{group}", None),
    ("GET", "/groups/{group}/members", None),
    ("POST", "/groups/{group}/members", {}),
    ("PATCH", "/groups/{group}/members/{user}", {"is_admin": False}),
    ("DELETE", "/groups/{group}/members/{user}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_routes_need_a_live_token(api, services, method, path, body):
    ada = api.person("Ada")
    group = new_group(api, ada)
    path = path.format(group=group["uuid"], user=ada.uuid)
    kwargs = {"json": body} if body is not None else {}
    error(api.call(method, path, **kwargs), 401)
    error(api.call(method, path, headers={"Authorization": "Bearer forged"}, **kwargs), 401)
    assert api.post("/auth/logout", who=ada).status_code == 204
    error(api.call(method, path, who=ada, **kwargs), 401)
    assert [g.uuid for g in services.accounts.groups_of(ada.uuid)] == [group["uuid"]]
    assert services.accounts.get_group(group["uuid"]).is_active
    assert [m.is_admin for m in services.accounts.members(group["uuid"])] == [True]
