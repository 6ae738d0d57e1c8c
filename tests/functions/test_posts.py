"""posts over HTTP: write, read, comment, react, share — visibility, bad input, and the
event functions that index posts and link them in the graph."""

from __future__ import annotations

import re
import uuid

import pytest

from functions.posts.indexing import index_post_for_search, link_post_in_graph
from shared.context import Context
from shared.events import make_event
from shared.ports.bus import DEAD_LETTER
from shared.records import Media, new_uuid, utcnow
from tests.buslog import BusLog
from tests.functions.helpers import error, group_of, post_of

UNKNOWN = "00000000-0000-4000-8000-000000000000"
TOO_BIG = "x" * 1_100_000


def unique_word() -> str:
    return "w" + uuid.uuid4().hex[:12]


def stored_posts(services, person) -> list:
    return services.content.posts_by_author(person.uuid, before=None, limit=100)


def media_of(services, owner) -> str:
    media = Media(new_uuid(), owner.uuid, "image/png", 3, f"media/{new_uuid()}", utcnow())
    services.content.put_media(media)
    return media.uuid


def test_a_post_is_stored_announced_and_readable(api, bus_log):
    ada = api.person("Ada")
    post = write(api, ada, "Gardening tips for spring\nDig early, water late.")
    assert post["author_uuid"] == ada.uuid and post["scope"] == "public"
    assert post["name"] == "Gardening tips for spring"
    assert re.fullmatch(
        r"gardening-tips-for-spring-dig-early-water-late-[0-9a-f]{10}", post["url_slug"]
    )
    assert [e.data["uuid"] for e in bus_log.events("post.created", ada.uuid)] == [post["uuid"]]
    read = api.get(f"/posts/{post['uuid']}", who=api.person("Bob"))
    assert read.status_code == 200
    assert read.get_json()["post"]["text"] == "Gardening tips for spring\nDig early, water late."


def test_slugs_are_unique_and_names_are_short(api):
    ada = api.person("Ada")
    first, second = write(api, ada, "Same words"), write(api, ada, "Same words")
    assert first["url_slug"] != second["url_slug"]
    long = write(api, ada, "word " * 100)
    assert len(long["name"]) <= 81 and long["name"].endswith("…")
    assert write(api, ada, "¡¿?!")["url_slug"].startswith("post-")


def test_group_posts_need_an_active_membership(api, services):
    ada, bob, eve = api.person("Ada"), api.person("Bob"), api.person("Eve")
    private = group_of(api, ada, bob)
    public = group_of(api, ada, private=False)
    ok = api.post("/posts", who=bob, json={"text": "hi", "scope": "group", "group_uuid": private})
    assert ok.status_code == 201 and ok.get_json()["post"]["group_uuid"] == private
    error(
        api.post("/posts", who=eve, json={"text": "hi", "scope": "group", "group_uuid": public}),
        403,
    )
    error(
        api.post("/posts", who=eve, json={"text": "hi", "scope": "group", "group_uuid": private}),
        404,
    )
    error(
        api.post("/posts", who=eve, json={"text": "x", "scope": "group", "group_uuid": UNKNOWN}),
        404,
    )
    error(api.post("/posts", who=ada, json={"text": "x", "scope": "group"}), 400, "group_uuid")
    mixed = {"text": "x", "scope": "public", "group_uuid": public}
    error(api.post("/posts", who=ada, json=mixed), 400, "group_uuid")
    assert api.delete(f"/groups/{public}", who=ada).status_code == 204
    error(
        api.post("/posts", who=ada, json={"text": "x", "scope": "group", "group_uuid": public}), 404
    )
    assert stored_posts(services, eve) == [] and len(stored_posts(services, ada)) == 0


def test_media_must_be_the_callers_own(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    mine, theirs = media_of(services, ada), media_of(services, bob)
    post = write(api, ada, "with a picture", media=[mine, mine])
    assert post["media"] == [mine]
    assert services.content.media_attachments(mine) == [("post", post["uuid"])]
    for media in ([theirs], [UNKNOWN], ["not-a-uuid"], "abc"):
        bad = api.post("/posts", who=ada, json={"text": "x", "scope": "public", "media": media})
        assert error(bad, 400)["field"].startswith("media")
    assert len(stored_posts(services, ada)) == 1
    assert services.content.media_attachments(theirs) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"scope": "public"}, "text"),
        ({"text": "", "scope": "public"}, "text"),
        ({"text": "   ", "scope": "public"}, "text"),
        ({"text": "x" * 10_001, "scope": "public"}, "text"),
        ({"text": 5, "scope": "public"}, "text"),
        ({"text": "x"}, "scope"),
        ({"text": "x", "scope": "everyone"}, "scope"),
        ({"text": "x", "scope": "group", "group_uuid": "nope"}, "group_uuid"),
        ([{"text": "x"}], "body"),
    ],
)
def test_bad_post_bodies_name_the_field_and_store_nothing(api, services, bus_log, body, field):
    ada = api.person("Ada")
    error(api.post("/posts", who=ada, json=body), 400, field)
    assert stored_posts(services, ada) == [] and bus_log.events("post.created", ada.uuid) == []


def test_malformed_and_oversized_bodies(api, services):
    ada = api.person("Ada")
    headers = {"Content-Type": "application/json"}
    error(api.post("/posts", who=ada, data="{text: 'x'", headers=headers), 400, "body")
    error(api.post("/posts", who=ada, json={"text": TOO_BIG, "scope": "public"}), 413)
    assert stored_posts(services, ada) == []


def test_every_post_route_needs_a_live_token(api, services):
    ada = api.person("Ada")
    post = write(api, ada)["uuid"]
    calls = [
        ("POST", "/posts", {"text": "x", "scope": "public"}),
        ("GET", f"/posts/{post}", None),
        ("POST", f"/posts/{post}/comments", {"text": "x"}),
        ("PUT", f"/posts/{post}/reactions/like", None),
        ("DELETE", f"/posts/{post}/reactions/like", None),
        ("POST", f"/posts/{post}/shares", {"scope": "public"}),
    ]
    assert api.post("/auth/logout", who=ada).status_code == 204
    for method, path, body in calls:
        for headers in ({}, {"Authorization": "Bearer wrong"}, ada.auth):
            error(api.call(method, path, json=body, headers=headers), 401)
    assert len(stored_posts(services, ada)) == 1
    assert services.content.get_post(post).comment_count == 0


def test_unknown_and_malformed_post_ids(api):
    ada = api.person("Ada")
    for method, tail, body in [
        ("GET", "", None),
        ("POST", "/comments", {"text": "x"}),
        ("PUT", "/reactions/like", None),
        ("DELETE", "/reactions/like", None),
        ("POST", "/shares", {"scope": "public"}),
    ]:
        error(api.call(method, f"/posts/{UNKNOWN}{tail}", ada, json=body), 404)
        error(api.call(method, f"/posts/12345{tail}", ada, json=body), 400, "uuid")


def test_comments_reactions_and_shares_add_up(api, services, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    post = write(api, ada)["uuid"]
    comment = api.post(f"/posts/{post}/comments", who=bob, json={"text": "  Nice!  "})
    assert comment.status_code == 201 and comment.get_json()["comment"]["text"] == "Nice!"
    for who, code in [(bob, "like"), (bob, "like"), (bob, "heart"), (ada, "like")]:
        assert api.put(f"/posts/{post}/reactions/{code}", who=who).status_code == 204
    share = api.post(f"/posts/{post}/shares", who=bob, json={"scope": "public", "comment": "read"})
    assert share.status_code == 201 and share.get_json()["share"]["author_uuid"] == ada.uuid
    read = api.get(f"/posts/{post}", who=bob).get_json()["post"]
    assert [c["text"] for c in read["comments"]] == ["Nice!"]
    assert read["reaction_summary"] == {"like": 2, "heart": 1}
    assert read["my_reactions"] == ["heart", "like"]
    assert (read["comment_count"], read["reaction_count"], read["share_count"]) == (1, 3, 1)
    announced = ("reaction.added", "comment.created", "share.created")
    assert [len(bus_log.events(type_, post)) for type_ in announced] == [3, 1, 1]


def test_taking_a_reaction_back(api, services, bus_log):
    ada = api.person("Ada")
    post = write(api, ada)["uuid"]
    api.put(f"/posts/{post}/reactions/like", who=ada)
    assert api.delete(f"/posts/{post}/reactions/like", who=ada).status_code == 204
    assert api.delete(f"/posts/{post}/reactions/like", who=ada).status_code == 204
    assert services.content.reactions(post) == []
    assert len(bus_log.events("reaction.removed", post)) == 1
    error(api.put(f"/posts/{post}/reactions/LIKE!", who=ada), 400, "code")


@pytest.mark.parametrize(
    "tail, body, field",
    [
        ("/comments", {}, "text"),
        ("/comments", {"text": ""}, "text"),
        ("/comments", {"text": "x" * 2_001}, "text"),
        ("/comments", {"text": ["x"]}, "text"),
        ("/shares", {}, "scope"),
        ("/shares", {"scope": "galaxy"}, "scope"),
        ("/shares", {"scope": "public", "comment": "x" * 2_001}, "comment"),
    ],
)
def test_bad_engagement_changes_nothing(api, services, tail, body, field):
    ada = api.person("Ada")
    post = write(api, ada)["uuid"]
    error(api.post(f"/posts/{post}{tail}", who=ada, json=body), 400, field)
    stored = services.content.get_post(post)
    assert (stored.comment_count, stored.share_count) == (0, 0)


def test_followers_only_and_private_group_posts_stay_hidden(api, services):
    ada, fan, eve, member = (api.person(n) for n in ("Ada", "Fan", "Eve", "Mem"))
    assert api.put(f"/users/{ada.uuid}/follow", who=fan).status_code == 204
    followers = write(api, ada, "for my followers", scope="followers")["uuid"]
    group = group_of(api, ada, member)
    secret = write(api, ada, "members only", scope="group", group_uuid=group)["uuid"]
    assert api.get(f"/posts/{followers}", who=fan).status_code == 200
    assert api.get(f"/posts/{secret}", who=member).status_code == 200
    for who, post in [(eve, followers), (eve, secret), (fan, secret)]:
        error(api.get(f"/posts/{post}", who=who), 404)
        error(api.post(f"/posts/{post}/comments", who=who, json={"text": "x"}), 404)
        error(api.put(f"/posts/{post}/reactions/like", who=who), 404)
        error(api.post(f"/posts/{post}/shares", who=who, json={"scope": "followers"}), 404)
    error(api.post(f"/posts/{secret}/shares", who=member, json={"scope": "public"}), 403, "scope")
    assert services.content.reactions(secret) == [] and services.content.shares(secret) == []
    listed = api.get(f"/users/{ada.uuid}/posts", who=eve).get_json()["items"]
    assert [p["uuid"] for p in listed] == []


def test_event_functions_index_and_link_once_however_often_delivered(api, services, bus_log):
    ada, fan = api.person("Ada"), api.person("Fan")
    api.put(f"/users/{ada.uuid}/follow", who=fan)
    word = unique_word()
    post = write(api, ada, f"Kayaking on the quiet {word}")["uuid"]
    api.settle()
    [event] = bus_log.events("post.created", ada.uuid)
    ctx = Context(services=services)
    for _ in range(2):  # redelivery is normal
        index_post_for_search([event], ctx)  # a batch function: a list of events
        link_post_in_graph(event, ctx)
    hits = services.search.query(word, types=["posts"], visible_to=["public"], limit=10)
    assert [h.uuid for h in hits] == [post]
    assert [s.uuid for s in services.graph.suggest_posts(fan.uuid, limit=10)] == [post]


def test_a_comment_stays_findable_whichever_of_its_posts_events_is_indexed_last(
    api, services, bus_log
):
    ada, bob = api.person("Ada"), api.person("Bob")
    post = write(api, ada, "Rowing at dawn")["uuid"]
    word = unique_word()
    api.post(f"/posts/{post}/comments", who=bob, json={"text": f"me too {word}"})
    api.settle()
    [created] = bus_log.events("post.created", post)
    [commented] = bus_log.events("comment.created", post)
    ctx = Context(services=services)
    # the comment's event indexed first, then its post's again (a redelivery, a late batch)
    for events in ([commented], [created], [created, commented], [commented, created]):
        index_post_for_search(events, ctx)
        hits = services.search.query(word, types=["posts"], visible_to=["public"], limit=10)
        assert [h.uuid for h in hits] == [post]


def test_a_post_created_event_for_no_post_is_a_dead_letter(api, services):
    dead_letters = BusLog(services, DEAD_LETTER)
    missing, bad = new_uuid(), f"x-{new_uuid()}"  # dead letters carry the event's key
    services.bus.publish(make_event("post.created", missing, {"uuid": missing}), key=missing)
    services.bus.publish(make_event("post.created", bad, {"uuid": "nope"}), key=bad)
    api.settle()
    letters = [dead_letters.events("townsquare.dead_letter", key) for key in (missing, bad)]
    assert all(letters) and sum(map(len, letters)) >= 4
    dead_letters.close()
    hits = services.search.query("nope", types=["posts"], visible_to=["public"], limit=5)
    assert "nope" not in {hit.uuid for hit in hits}  # (a fuzzy match may find others' posts)


def write(api, who, text="Hello town square", **fields) -> dict:
    return post_of(api, who, text, **fields)
