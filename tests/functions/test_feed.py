"""GET /feed: own, followed and group posts, paged by time and ranked within a page, only
what the caller may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.records import Post, new_uuid, utcnow
from tests.functions.helpers import error, group_of, post_of, put_post

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def feed(api, who, **query) -> dict:
    response = api.get("/feed", who=who, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_feed_merges_own_followed_and_group_posts_newest_first(api):
    me, friend, stranger, admin = (api.person(n) for n in ("Me", "Friend", "Stranger", "Admin"))
    api.put(f"/users/{friend.uuid}/follow", who=me)
    club = group_of(api, admin, me)
    outside = group_of(api, friend)  # private, and I am not in it
    expected = [
        (write(api, friend, "public by friend"), "followed"),
        (write(api, stranger, "public by stranger"), None),
        (write(api, friend, "followers of friend", scope="followers"), "followed"),
        (write(api, admin, "club news", scope="group", group_uuid=club), "group"),
        (write(api, friend, "secret", scope="group", group_uuid=outside), None),
        (write(api, me, "my own", scope="followers"), "own"),
        (write(api, me, "my club post", scope="group", group_uuid=club), "own"),
    ]
    items = feed(api, me)["items"]
    wanted = [(uuid, reason) for uuid, reason in reversed(expected) if reason]
    assert [(item["uuid"], item["reason"]) for item in items] == wanted
    assert feed(api, me)["next"] is None
    details = {item["reason"]: item["reason_detail"] for item in items}
    assert details["group"] == {
        "code": "group", "text": "new in Club, a group you're in", "via": [club]
    }  # fmt: skip
    assert details["followed"] == {
        "code": "followed", "text": "Friend, whom you follow, posted", "via": [friend.uuid]
    }  # fmt: skip
    assert details["own"] == {"code": "own", "text": "your post", "via": []}


def test_the_feed_pages_with_an_honest_cursor(api):
    me, friend = api.person("Me"), api.person("Friend")
    api.put(f"/users/{friend.uuid}/follow", who=me)
    posts = [write(api, who, f"post {i}") for i, who in enumerate([me, friend] * 3)]
    seen, cursor = [], None
    while True:
        page = feed(api, me, limit=4, **({"before": cursor} if cursor else {}))
        seen += [item["uuid"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == list(reversed(posts))


def test_a_source_full_of_hidden_posts_does_not_hide_older_ones(api, services):
    me, friend = api.person("Me"), api.person("Friend")
    api.put(f"/users/{friend.uuid}/follow", who=me)
    hidden_group = group_of(api, friend)
    for minute in range(30):  # friend's recent posts are all in a group I am not in
        services.content.put_post(_post(friend, T0 - timedelta(minutes=minute), hidden_group))
    old = _post(friend, T0 - timedelta(days=1))
    services.content.put_post(old)
    seen, cursor = [], None
    for _ in range(20):
        page = feed(api, me, limit=2, **({"before": cursor} if cursor else {}))
        seen += [item["uuid"] for item in page["items"]]
        if not (cursor := page["next"]):
            break
    assert seen == [old.uuid]


def test_leaving_a_private_group_takes_its_posts_out_of_the_feed(api):
    me, admin = api.person("Me"), api.person("Admin")
    club = group_of(api, admin, me)
    post = write(api, admin, "club only", scope="group", group_uuid=club)
    assert [i["uuid"] for i in feed(api, me)["items"]] == [post]
    assert api.delete(f"/groups/{club}/members/{me.uuid}", who=me).status_code == 204
    assert feed(api, me)["items"] == []


def test_unfollowing_takes_followers_only_posts_out_of_the_next_feed(api):
    me, friend, stranger = api.person("Me"), api.person("Friend"), api.person("Stranger")
    api.put(f"/users/{friend.uuid}/follow", who=me)
    shared = write(api, friend, "for followers", scope="followers")
    public = write(api, friend, "for everyone", scope="public")
    write(api, stranger, "not followed", scope="public")
    assert {i["uuid"] for i in feed(api, me)["items"]} == {shared, public}
    assert api.delete(f"/users/{friend.uuid}/follow", who=me).status_code == 204
    assert feed(api, me)["items"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"before": "yesterday"}, "before"),
    ],
)
def test_bad_feed_queries_name_the_field(api, query, field):
    error(api.get("/feed", who=api.person("Me"), query_string=query), 400, field)


def test_the_feed_needs_a_live_token(api):
    me = api.person("Me")
    error(api.get("/feed"), 401)
    error(api.get("/feed", headers={"Authorization": "Bearer nope"}), 401)
    api.post("/auth/logout", who=me)
    error(api.get("/feed", who=me), 401)


def _post(author, when: datetime, group: str | None = None) -> Post:
    return Post(
        uuid=new_uuid(),
        author_uuid=author.uuid,
        name="n",
        text="t",
        scope="group" if group else "public",
        group_uuid=group,
        media=(),
        url_slug=f"n-{new_uuid()[:8]}",
        created_at=when,
    )


def write(api, who, text, **fields) -> str:
    return post_of(api, who, text, **fields)["uuid"]


def test_within_a_page_closeness_and_engagement_rank_above_a_little_recency(api, services):
    me, bob, cy, dan = (api.person(n) for n in ("Me", "Bob", "Cy", "Dan"))
    for person in (bob, cy, dan):
        assert api.put(f"/users/{person.uuid}/follow", who=me).status_code == 204
    now = utcnow()
    older = [put_post(services, bob, at=now - timedelta(days=2, hours=i)) for i in range(3)]
    for post in older:  # Me often reacts to Bob
        services.graph.authored(bob.uuid, post.uuid)
        assert api.put(f"/posts/{post.uuid}/reactions/like", who=me).status_code == 204
    from_bob = put_post(services, bob, at=now - timedelta(hours=3))
    services.graph.authored(bob.uuid, from_bob.uuid)
    busy = put_post(services, dan, at=now - timedelta(hours=2))
    for fan in (api.person(f"Fan {i}") for i in range(4)):
        assert api.put(f"/posts/{busy.uuid}/reactions/like", who=fan).status_code == 204
    newest = put_post(services, cy, at=now - timedelta(hours=1))
    api.settle()
    items = feed(api, me, limit=3)["items"]
    assert [item["uuid"] for item in items] == [from_bob.uuid, busy.uuid, newest.uuid]
    assert items[0]["score"] > items[1]["score"] > items[2]["score"]
