"""R9: the authorization matrix, generated from the registry.

Actors {anonymous, member, non-member, admin, removed member, operator} × resources {public
post, followers post (of a private account that approved its followers), private group,
its post, a DM, media, the stream, the MQTT topic} × every route of the registry: each
route is called by each actor with each resource its path can name (so a new route is in
the matrix as soon as it is registered). "admin" owns everything (author, uploader, group
admin, DM sender); "member" is inside every audience (group member, approved follower, DM
recipient); "removed" was inside and was taken out; "non-member" and "operator" never were.

What must hold, per call: no 5xx; anonymous gets 401 on every signed-in route; an actor
outside a resource's audience never gets a 2xx on a route naming that resource; and no
answer, stream frame or MQTT-stored message carries the secret word of a resource the
actor may not see. Readers inside the audience get 200 on its GET routes.

/auth/* routes end or change the caller's own session; R10 covers them.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
import websocket

from functions.registry import load
from tests.chaos.report import Row
from tests.chaos.traffic import Client, Tally

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup

ACTORS = ("anonymous", "member", "non-member", "admin", "removed", "operator")
OUTSIDERS = {"non-member", "removed", "operator"}
SKIPPED = re.compile(r"^/auth/")
# which resources a path names, by its first segment (GET /users/{uuid} names a person)
KINDS = {"posts": ("public", "followers", "group_post"), "groups": ("group",), "media": ("media",)}
BODIES = {
    "NewComment": {"text": "a comment"},
    "NewShare": {"scope": "public", "comment": "shared"},
    "NewMember": {},  # filled with the caller's own uuid: a self-invitation
    "MemberChange": {"is_admin": True},
}


class World:
    """The people and resources of the matrix, each resource with a secret word."""

    def __init__(self, api: Client, townsquare) -> None:
        self.api = api
        people = {name: api.person(name.replace("-", "")) for name in ACTORS if name != "anonymous"}
        townsquare.services.accounts.set_operator(people["operator"]["uuid"], True)
        self.people = people
        admin, member, removed = people["admin"], people["member"], people["removed"]
        self.call("PATCH", "/users/me", admin, json={"is_private": True})
        for follower in (member, removed):
            self.call("PUT", f"/users/{admin['uuid']}/follow", follower)
            assert (
                self.call("PUT", f"/users/me/followers/{follower['uuid']}", admin).status_code < 300
            )
        self.secret = {k: f"w{uuid.uuid4().hex[:12]}" for k in ("public", "followers", "group",
                                                               "group_post", "dm", "media")}  # fmt: skip
        group = self.call(
            "POST",
            "/groups",
            admin,
            json={"name": f"Club {self.secret['group']}", "is_private": True},
        ).json()["group"]["uuid"]
        for person in (member, removed):
            self.call("POST", f"/groups/{group}/members", admin, json={"user_uuid": person["uuid"]})
        media = self.call(
            "POST", "/media", admin, data=self.secret["media"].encode(),
            headers={"content-type": "application/octet-stream"},
        ).json()["media"]["uuid"]  # fmt: skip
        self.ids = {
            "public": self._post(admin, "public"),
            "followers": self._post(admin, "followers"),
            "group_post": self._post(admin, "group", group_uuid=group, media=[media]),
            "group": group,
            "media": media,
        }
        self.call("DELETE", f"/groups/{group}/members/{removed['uuid']}", admin)
        self.call("DELETE", f"/users/me/followers/{removed['uuid']}", admin)
        self.call(
            "POST", "/messages", admin,
            json={"to_user": member["uuid"], "text": f"dm {self.secret['dm']}"},
        )  # fmt: skip
        self.call(
            "POST", "/messages", admin,
            json={"to_group": group, "text": f"group chat {self.secret['group']}"},
        )  # fmt: skip

    def _post(self, admin: dict, scope: str, **extra) -> str:
        kind = "group_post" if scope == "group" else scope
        body = {"text": f"post {self.secret[kind]}", "scope": scope, **extra}
        answer = self.call("POST", "/posts", admin, json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()["post"]["uuid"]

    def call(self, method: str, path: str, who: dict | None, **kw):
        return self.api.call(method, path, who["token"] if who else None, **kw)

    def audience(self, resource: str) -> set[str]:
        """The actors who may see `resource`."""
        if resource == "public":
            return {"member", "non-member", "admin", "removed", "operator"}
        return {"member", "admin"}

    def hidden_from(self, actor: str) -> list[str]:
        """The secret words `actor` must never receive."""
        return [self.secret[r] for r in self.secret if actor not in self.audience(r)]


def calls(world: World):
    """(method, path, resource, body, function name, whether it needs a token) for every
    route and each resource it can name."""
    for function, route in load().routes():
        if SKIPPED.match(route.path):
            continue
        first = route.path.strip("/").split("/")[0]
        resources = KINDS.get(first, (None,)) if "{uuid}" in route.path else (None,)
        for resource in resources:
            path = route.path
            if resource is not None:
                path = path.replace("{uuid}", world.ids[resource])
            path = path.replace("{uuid}", world.people["admin"]["uuid"])
            path = path.replace("{user}", world.people["member"]["uuid"])
            path = path.replace("{code}", "like").replace("{kind}", "people")
            path = path.replace("{name}", "activity").replace("{device}", "chaos-device")
            body = BODIES.get(route.body.__name__, {}) if route.body is not None else None
            for query in _queries(route, world):
                yield route.method, path + query, resource, body, function.name, route.auth


def _queries(route, world: World) -> list[str]:
    if route.query is None:
        return [""]
    fields = set(route.query.model_json_schema().get("properties", {}))
    if "group" in fields:
        return [f"?group={world.ids['group']}", f"?with_user={world.people['admin']['uuid']}"]
    if "q" in fields:
        return [f"?q={word}" for word in world.secret.values()]
    return [""]


def test_r9_authorization_matrix(townsquare, report, chaos_stack):
    row = report.add(Row("R9 authorization matrix"))
    tally = Tally()
    world = World(Client(townsquare.base_url, tally), townsquare)
    time.sleep(3)  # the search index and feed catch up with the world's events
    failures: list[str] = []
    for actor in ACTORS:
        who = world.people.get(actor)
        hidden = world.hidden_from(actor)
        for method, path, resource, body, name, needs_token in calls(world):
            if actor in ("admin", "member") and method != "GET":
                continue  # insiders' own writes (leaving, deleting) would change the world
            payload = dict(body or {})
            if name.endswith("add_group_member") and who:
                payload["user_uuid"] = who["uuid"]
            kw = {"json": payload} if body is not None else {}
            answer = world.call(method, path, who, **kw)
            row.sent += 1
            label = f"{actor} {method} {path}"
            if answer.status_code >= 500:
                failures.append(f"{label}: {answer.status_code}")
            if actor == "anonymous" and needs_token and answer.status_code != 401:
                failures.append(f"{label}: {answer.status_code}, not 401")
            outsider = actor in OUTSIDERS and actor not in world.audience(resource or "public")
            if resource and outsider and answer.status_code < 300:
                failures.append(f"{label}: {answer.status_code} for an outsider of {resource}")
            reader = resource and actor in world.audience(resource) and method == "GET"
            if reader and answer.status_code != 200:
                failures.append(f"{label}: {answer.status_code} for a reader of {resource}")
            if any(word in answer.text for word in hidden):
                row.leaks += 1
                failures.append(f"{label}: the answer holds a secret it must not")
            row.acked += answer.status_code < 300
            row.rejections[str(answer.status_code)] += answer.status_code >= 400
    row.leaks += stream_and_mqtt_leaks(world, townsquare, chaos_stack, failures)
    row.bad_5xx += sum(a.status >= 500 for a in tally.answers)
    row.failed_checks += len(failures)
    row.notes += failures[:5]
    row.rejections = +row.rejections
    assert not failures, "\n".join(failures)


def stream_and_mqtt_leaks(world: World, townsquare, chaos_stack, failures: list[str]) -> int:
    """Every actor's stream sees only what it may; MQTT chat into the private group is
    stored only for its members. Returns the number of leaks."""
    base = townsquare.base_url.replace("http://", "ws://")
    sockets = {
        actor: websocket.create_connection(
            f"{base}/stream?token={world.people[actor]['token']}", timeout=5
        )
        for actor in world.people
    }
    admin, group = world.people["admin"], world.ids["group"]
    word = world.secret["group"]
    world.call("POST", "/messages", admin, json={"to_group": group, "text": f"live {word}"})
    word_dm = world.secret["dm"]
    world.call(
        "POST",
        "/messages",
        admin,
        json={"to_user": world.people["member"]["uuid"], "text": word_dm},
    )
    leaks = 0
    for actor, socket in sockets.items():
        frames = _drain(socket)
        seen = [w for w in (word, word_dm) if any(w in f for f in frames)]
        if actor in OUTSIDERS and seen:
            leaks += 1
            failures.append(f"{actor}'s stream received {seen}")
        if actor in ("admin", "member") and len(seen) != 2:
            failures.append(f"{actor}'s stream missed {set((word, word_dm)) - set(seen)}")
        socket.close()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"authz-{uuid.uuid4().hex[:6]}"
    )
    client.connect("127.0.0.1", chaos_stack["mosquitto"].port)
    client.loop_start()
    marks = {}
    for actor, person in world.people.items():
        marks[actor] = f"mqtt-{actor}-{uuid.uuid4().hex[:8]}"
        payload = {"token": person["token"], "text": marks[actor]}
        client.publish(
            f"townsquare/chat/group/{group}", json.dumps(payload), qos=1
        ).wait_for_publish(5)
    time.sleep(3)
    client.loop_stop()
    client.disconnect()
    history = world.call("GET", f"/messages?group={group}&limit=100", admin).text
    for actor, mark in marks.items():
        stored = mark in history
        if stored != (actor in ("admin", "member")):
            failures.append(f"MQTT chat from {actor} into the private group: stored={stored}")
            leaks += actor not in ("admin", "member")
    return leaks


def _drain(socket, seconds: float = 2.0) -> list[str]:
    frames, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        socket.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            frames.append(socket.recv())
        except websocket.WebSocketTimeoutException:
            break
    return frames
