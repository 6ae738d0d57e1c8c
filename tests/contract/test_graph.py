"""The graph contract: one body of tests for every Graph adapter.

Every node is a fresh uuid, so runs on a shared server never see each other.
"""

from __future__ import annotations

import pytest

from shared.errors import Invalid
from shared.records import Suggestion
from tests.contract.conftest import backend_params, open_adapter, unique


@pytest.fixture(params=backend_params("graph"))
def graph(request, tmp_path):
    adapter = open_adapter("graph", request.param, tmp_path)
    yield adapter
    adapter.close()


def uuids(count: int) -> list[str]:
    return [unique() for _ in range(count)]


def test_follow_and_unfollow_are_idempotent(graph):
    ada, bob = uuids(2)
    graph.follow(ada, bob)
    graph.follow(ada, bob)
    assert graph.following(ada) == [bob]
    assert graph.followers(bob) == [ada]
    assert graph.is_following(ada, bob)
    assert not graph.is_following(bob, ada)
    graph.unfollow(ada, bob)
    graph.unfollow(ada, bob)
    assert graph.following(ada) == []
    assert graph.followers(bob) == []
    assert not graph.is_following(ada, bob)


def test_following_lists_the_latest_first(graph):
    ada, bob, cy, dee = uuids(4)
    for followee in (bob, cy, dee):
        graph.follow(ada, followee)
    graph.follow(ada, bob)  # again: keeps its first place in time
    assert graph.following(ada) == [dee, cy, bob]
    assert graph.following(unique()) == []
    assert not graph.is_following(unique(), unique())


def test_suggest_people_followed_by_people_i_follow(graph):
    me, f1, f2, x, y = uuids(5)
    graph.add_edges("FOLLOWS", [(me, f1), (me, f2)])
    graph.add_edges("FOLLOWS", [(f1, x), (f2, x), (f1, y), (f1, me), (f1, f2)])
    assert graph.suggest_people(me, limit=10) == [
        Suggestion(x, 2.0, "followed by 2 people you follow"),
        Suggestion(y, 1.0, "followed by 1 person you follow"),
    ]
    assert [s.uuid for s in graph.suggest_people(me, limit=1)] == [x]
    graph.follow(me, x)
    assert [s.uuid for s in graph.suggest_people(me, limit=10)] == [y]
    assert graph.suggest_people(unique(), limit=10) == []


def test_suggest_groups_my_followees_joined(graph):
    me, f1, f2, stranger = uuids(4)
    g1, g2, mine, far = uuids(4)
    graph.add_edges("FOLLOWS", [(me, f1), (me, f2)])
    graph.join(f1, g1)
    graph.join(f1, g1)
    graph.join(f2, g1)
    graph.join(f1, g2)
    graph.join(f1, mine)
    graph.join(me, mine)
    graph.join(stranger, far)
    assert graph.suggest_groups(me, limit=10) == [
        Suggestion(g1, 2.0, "2 people you follow are members"),
        Suggestion(g2, 1.0, "1 person you follow is a member"),
    ]
    graph.leave(f2, g1)
    graph.leave(f2, g1)
    graph.leave(f1, g2)
    assert graph.suggest_groups(me, limit=10) == [
        Suggestion(g1, 1.0, "1 person you follow is a member")
    ]


def test_suggest_posts_my_followees_wrote_or_reacted_to(graph):
    me, f1, f2, stranger = uuids(4)
    liked, written, popular, own, secret, members, strangers = uuids(7)
    closed, club = uuids(2)
    graph.add_edges("FOLLOWS", [(me, f1), (me, f2)])
    graph.join(me, club)
    graph.reacted(f2, liked)
    graph.authored(f1, popular)
    graph.reacted(f2, popular)
    graph.reacted(f2, popular)
    graph.authored(me, own)
    graph.reacted(f1, own)
    graph.authored(f1, secret, group=closed)
    graph.authored(stranger, strangers)
    graph.reacted(stranger, written)
    graph.authored(f2, members, group=club)
    graph.authored(f1, written)
    assert graph.suggest_posts(me, limit=10) == [
        Suggestion(popular, 2.0, "posted by someone you follow and 1 person you follow reacted"),
        Suggestion(written, 1.0, "posted by someone you follow"),
        Suggestion(members, 1.0, "posted by someone you follow"),
        Suggestion(liked, 1.0, "1 person you follow reacted"),
    ]
    graph.join(me, closed)
    assert secret in [s.uuid for s in graph.suggest_posts(me, limit=10)]
    assert len(graph.suggest_posts(me, limit=2)) == 2


def test_add_edges_in_bulk(graph):
    hub = unique()
    fans = uuids(1200)  # more than one batch
    graph.add_edges("FOLLOWS", [(fan, hub) for fan in fans])
    graph.add_edges("FOLLOWS", [(fan, hub) for fan in fans[:10]])
    assert sorted(graph.followers(hub)) == sorted(fans)
    group, post = unique(), unique()
    graph.add_edges("MEMBER_OF", [(fans[0], group)])
    graph.add_edges("AUTHORED", [(fans[1], post)])
    graph.add_edges("REACTED", [(fans[2], post)])
    graph.add_edges("FOLLOWS", [])
    me = unique()
    graph.add_edges("FOLLOWS", [(me, fans[0]), (me, fans[1]), (me, fans[2])])
    assert [s.uuid for s in graph.suggest_groups(me, limit=10)] == [group]
    assert [s.score for s in graph.suggest_posts(me, limit=10)] == [2.0]
    with pytest.raises(Invalid):
        graph.add_edges("LIKES", [(me, post)])


def test_health(graph):
    graph.health()


def tags(count: int) -> list[str]:
    """Hashtags no other test uses (the graph server may be shared)."""
    return [f"t{unique().replace('-', '')[:16]}" for _ in range(count)]


def test_interests_weigh_what_i_wrote_above_what_i_liked(graph):
    me, other = uuids(2)
    mine, liked, again = uuids(3)
    hiking, jazz, chess = tags(3)
    graph.authored(me, mine)
    graph.tagged(mine, [hiking, jazz, hiking])
    graph.tagged(mine, [hiking])  # idempotent
    graph.authored(other, liked)
    graph.tagged(liked, [jazz, chess])
    graph.reacted(me, liked)
    graph.authored(other, again)
    graph.tagged(again, [chess])
    assert graph.interests(me, limit=10) == sorted(
        [(hiking, 3.0), (jazz, 4.0), (chess, 1.0)], key=lambda pair: (-pair[1], pair[0])
    )
    assert len(graph.interests(me, limit=2)) == 2
    assert graph.interests(other, limit=10) == sorted(
        [(jazz, 3.0), (chess, 6.0)], key=lambda pair: (-pair[1], pair[0])
    )


def test_suggest_by_interest_finds_people_writing_about_my_hashtags(graph):
    me, writer, followed, insider = uuids(4)
    mine, theirs, followed_post, closed_post = uuids(4)
    closed = unique()
    hiking, jazz = tags(2)
    graph.authored(me, mine)
    graph.tagged(mine, [hiking, jazz])
    graph.authored(writer, theirs)
    graph.tagged(theirs, [jazz, hiking])
    graph.follow(me, followed)
    graph.authored(followed, followed_post)
    graph.tagged(followed_post, [hiking])
    graph.authored(insider, closed_post, group=closed)
    graph.tagged(closed_post, [hiking])
    assert graph.suggest_by_interest(me, limit=10) == [
        Suggestion(writer, 6.0, " ".join(sorted([hiking, jazz])))
    ]
    graph.join(me, closed)
    suggested = graph.suggest_by_interest(me, limit=10)
    assert [s.uuid for s in suggested] == [writer, insider]
    assert suggested[1] == Suggestion(insider, 3.0, hiking)


def test_suggest_groups_by_interest_finds_groups_posting_about_my_hashtags(graph):
    me, other = uuids(2)
    mine, there, twice, joined_post = uuids(4)
    club, joined = uuids(2)
    hiking, jazz = tags(2)
    graph.authored(me, mine)
    graph.tagged(mine, [hiking, jazz])
    graph.authored(other, there, group=club)
    graph.tagged(there, [hiking])
    graph.authored(other, twice, group=club)
    graph.tagged(twice, [jazz])
    graph.join(me, joined)
    graph.authored(other, joined_post, group=joined)
    graph.tagged(joined_post, [hiking])
    assert graph.suggest_groups_by_interest(me, limit=10) == [
        Suggestion(club, 6.0, " ".join(sorted([hiking, jazz])))
    ]


def test_affinity_counts_reactions_to_people_and_activity_in_groups(graph):
    me, ada, bob = uuids(3)
    a1, a2, b1, mine, club_post = uuids(5)
    club = unique()
    for post in (a1, a2):
        graph.authored(ada, post)
        graph.reacted(me, post)
    graph.authored(bob, b1, group=club)
    graph.reacted(me, b1)
    graph.authored(me, mine, group=club)
    graph.reacted(me, mine)  # my own post: no affinity to myself
    graph.authored(ada, club_post)
    expected = [(ada, 2.0), (club, 3.0), (bob, 1.0)]
    assert graph.affinity(me, limit=10) == sorted(expected, key=lambda pair: (-pair[1], pair[0]))
    assert len(graph.affinity(me, limit=1)) == 1
    assert graph.affinity(unique(), limit=10) == []


def test_suggest_posts_by_interest_finds_what_people_like_me_reacted_to(graph):
    me, alike, other, stranger = uuids(4)
    mine, theirs, liked, both_liked, own_liked, closed_post, strangers_liked = uuids(7)
    closed = unique()
    [hiking] = tags(1)
    graph.authored(me, mine)
    graph.tagged(mine, [hiking])
    for person in (alike, other):
        post = theirs if person == alike else unique()
        graph.authored(person, post)
        graph.tagged(post, [hiking])
        graph.reacted(person, both_liked)
    graph.reacted(alike, liked)
    graph.reacted(alike, own_liked)
    graph.authored(me, own_liked)
    graph.authored(stranger, closed_post, group=closed)
    graph.reacted(alike, closed_post)
    graph.reacted(stranger, strangers_liked)  # a stranger shares no hashtag with me
    assert graph.suggest_posts_by_interest(me, limit=10) == [
        Suggestion(both_liked, 2.0, " ".join(sorted([alike, other]))),
        Suggestion(liked, 1.0, alike),
    ]
