"""GET /recommendations/{people|groups|posts}: what the graph suggests, minus what the
caller may not see."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import REAL
from tests.functions.helpers import error, group_of, post_of


def follow(api, who, *people) -> None:
    for person in people:
        assert api.put(f"/users/{person.uuid}/follow", who=who).status_code == 204


def suggested(api, who, kind, **query) -> list[dict]:
    response = api.get(f"/recommendations/{kind}", who=who, query_string=query)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert all(set(item) == {"uuid", "score", "reason", "reason_detail"} for item in items)
    assert all(item["reason"] == item["reason_detail"]["text"] != "" for item in items)
    return items


def test_people_followed_by_those_you_follow(api):
    me, bob, cat, dan = (api.person(n) for n in ("Me", "Bob", "Cat", "Dan"))
    follow(api, me, bob, cat)
    follow(api, bob, dan, me)
    follow(api, cat, dan, bob)
    api.settle()
    items = suggested(api, me, "people")
    assert [item["uuid"] for item in items] == [dan.uuid]
    assert items[0]["score"] == 2
    assert suggested(api, me, "people", limit=1) == items[:1]


def test_groups_skip_private_and_deleted_ones(api):
    me, bob = api.person("Me"), api.person("Bob")
    follow(api, me, bob)
    public = group_of(api, bob, private=False)
    gone = group_of(api, bob, private=False)
    group_of(api, bob)  # private: never suggested to an outsider
    assert api.delete(f"/groups/{gone}", who=bob).status_code == 204
    api.settle()
    assert [item["uuid"] for item in suggested(api, me, "groups")] == [public]


def test_posts_skip_what_the_caller_may_not_see(api):
    me, bob, cat = api.person("Me"), api.person("Bob"), api.person("Cat")
    follow(api, me, bob)
    follow(api, bob, cat)  # so bob may see, and react to, cat's followers-only post
    club = group_of(api, bob)
    shown = write(api, bob, "open to all")
    write(api, bob, "club only", scope="group", group_uuid=club)
    liked = write(api, cat, "cat's public post")
    hidden = write(api, cat, "cat's followers only", scope="followers")
    for post in (liked, hidden):
        assert api.put(f"/posts/{post}/reactions/like", who=bob).status_code == 204
    write(api, me, "my own post")
    api.settle()
    assert {item["uuid"] for item in suggested(api, me, "posts")} == {shown, liked}


def test_a_newcomer_is_shown_what_is_popular_in_public_groups_and_told_so(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    hiking = group_of(api, ada, bob, cy, private=False, name="Hiking")
    secret = group_of(api, ada, bob, cy, private=True, name="Secret")
    post = api.post(
        "/posts", who=bob, json={"text": "summit!", "scope": "group", "group_uuid": hiking}
    )
    assert (
        api.put(f"/posts/{post.get_json()['post']['uuid']}/reactions/like", who=cy).status_code
        == 204
    )
    api.settle()
    me = api.person("Me")
    groups = suggested(api, me, "groups", limit=50)
    assert groups and all(g["reason_detail"]["code"] == "popular_group" for g in groups)
    assert [g["score"] for g in groups] == sorted((g["score"] for g in groups), reverse=True)
    assert secret not in {g["uuid"] for g in groups}
    if not REAL:  # on the shared servers, other runs' groups may be more popular
        assert groups[0] == {
            "uuid": hiking, "score": 3.0, "reason": "popular: 3 members",
            "reason_detail": {"code": "popular_group", "text": "popular: 3 members", "via": []},
        }  # fmt: skip
        [popular_post] = suggested(api, me, "posts")
        assert popular_post["reason"] == "popular in Hiking: 1 reactions, comments and shares"
        assert popular_post["reason_detail"]["via"] == [hiking]
        [founder] = suggested(api, me, "people")
        assert (founder["uuid"], founder["reason"]) == (ada.uuid, "started Hiking, a popular group")
    follow(api, me, ada)
    follow(api, ada, bob)
    api.settle()  # once the graph knows them, suggestions come from it
    assert [p["reason_detail"]["code"] for p in suggested(api, me, "people")] == [
        "followed_by_follows"
    ]


@pytest.mark.parametrize(
    "path, status, field",
    [
        ("/recommendations/songs", 404, "kind"),
        ("/recommendations/People", 400, "kind"),
        ("/recommendations/people?limit=0", 400, "limit"),
        ("/recommendations/posts?limit=many", 400, "limit"),
    ],
)
def test_bad_recommendation_requests(api, path, status, field):
    error(api.get(path, who=api.person("Me")), status, field)


def test_recommendations_need_a_live_token(api):
    me = api.person("Me")
    error(api.get("/recommendations/people"), 401)
    error(api.get("/recommendations/people", headers={"Authorization": "Bearer x"}), 401)
    api.post("/auth/logout", who=me)
    error(api.get("/recommendations/posts", who=me), 401)


def write(api, who, text, **fields) -> str:
    return post_of(api, who, text, **fields)["uuid"]


PAIRS = [("Ada", "Bob"), ("Bob", "Ada")]  # who is named first follows the graph's order


def test_reasons_name_the_people_they_came_through(api):
    me, ada, bob, cy, dan = (api.person(n) for n in ("Me", "Ada", "Bob", "Cy", "Dan"))
    follow(api, me, ada, bob, cy)
    follow(api, ada, dan)
    api.settle()
    [one] = suggested(api, me, "people")
    assert one["reason"] == "Ada, whom you follow, follows them"
    assert one["reason_detail"] == {
        "code": "followed_by_follows", "text": one["reason"], "via": [ada.uuid]
    }  # fmt: skip
    follow(api, bob, dan)
    api.settle()  # a new follow changes the reason at once
    [two] = suggested(api, me, "people")
    assert two["reason"] in {f"{a} and {b}, whom you follow, follow them" for a, b in PAIRS}
    follow(api, cy, dan)
    api.settle()
    [three] = suggested(api, me, "people")
    assert three["reason"].endswith(" and 2 others you follow follow them")
    assert set(three["reason_detail"]["via"]) == {ada.uuid, bob.uuid, cy.uuid}


def test_group_and_post_reasons(api):
    me, ada, bob = api.person("Me"), api.person("Ada"), api.person("Bob")
    follow(api, me, ada, bob)
    club = group_of(api, ada, bob, private=False, name="Hiking")
    post = post_of(api, ada, "summit at dawn")
    quiet = post_of(api, ada, "nobody reacted to this")
    assert api.put(f"/posts/{post['uuid']}/reactions/like", who=bob).status_code == 204
    api.settle()
    [group] = suggested(api, me, "groups")
    assert group["uuid"] == club
    assert group["reason"] in {f"{a} and {b}, whom you follow, are in this group" for a, b in PAIRS}
    assert group["reason_detail"]["code"] == "joined_by_follows"
    posts = {item["uuid"]: item for item in suggested(api, me, "posts")}
    assert posts[post["uuid"]]["reason"] == "Bob, whom you follow, reacted"
    assert posts[post["uuid"]]["reason_detail"]["via"] == [bob.uuid]
    assert posts[quiet["uuid"]]["reason"] == "posted by Ada, whom you follow"
    assert posts[quiet["uuid"]]["reason_detail"]["code"] == "by_follow"


def test_people_who_write_about_my_hashtags_are_suggested_with_them(api):
    me, ada, bob = api.person("Me"), api.person("Ada"), api.person("Bob")
    tag, other = ("t" + uuid.uuid4().hex[:10] for _ in range(2))
    post_of(api, me, f"weekend plans #{tag} and #{other.upper()}")
    post_of(api, ada, f"#{tag} day")
    post_of(api, bob, f"#{other} and #{tag} again")
    api.settle()
    items = suggested(api, me, "people")
    assert [item["uuid"] for item in items] == [bob.uuid, ada.uuid]
    both = " and ".join(f"#{t}" for t in sorted([tag, other]))
    assert items[0]["reason"] == f"you both write about {both}"
    assert items[1]["reason_detail"] == {
        "code": "shared_interests", "text": f"you both write about #{tag}", "via": []
    }  # fmt: skip


def test_groups_whose_posts_carry_my_hashtags_are_suggested(api):
    me, ada = api.person("Me"), api.person("Ada")
    tag = "t" + uuid.uuid4().hex[:10]
    hiking = group_of(api, ada, private=False, name="Hiking")
    secret = group_of(api, ada, private=True, name="Secret")
    post_of(api, me, f"off to the hills #{tag}")
    for group in (hiking, secret):
        body = {"text": f"route notes #{tag}", "scope": "group", "group_uuid": group}
        assert api.post("/posts", who=ada, json=body).status_code == 201
    api.settle()
    items = suggested(api, me, "groups")
    assert [item["uuid"] for item in items] == [hiking]  # the private one stays hidden
    assert items[0]["reason"] == f"posts here are about #{tag}, like yours"
    assert items[0]["reason_detail"]["code"] == "matches_interests"


def test_posts_liked_by_people_who_write_about_my_hashtags(api):
    me, ada, cy = api.person("Me"), api.person("Ada"), api.person("Cy")
    tag = "t" + uuid.uuid4().hex[:10]
    post_of(api, me, f"ridge walk #{tag}")
    post_of(api, ada, f"my #{tag} photos")
    liked = post_of(api, cy, "sunrise over the valley")
    assert api.put(f"/posts/{liked['uuid']}/reactions/like", who=ada).status_code == 204
    api.settle()
    [item] = suggested(api, me, "posts")
    assert item["uuid"] == liked["uuid"]
    assert item["reason"] == "liked by Ada, who writes about what you do"
    assert item["reason_detail"] == {
        "code": "liked_by_alike", "text": item["reason"], "via": [ada.uuid]
    }  # fmt: skip
