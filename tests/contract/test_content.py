"""The Content contract: one body of tests, run on SQLite (embedded) and Cassandra (real).

Every test writes under fresh uuids, so on the shared real keyspace tests never see
each other's rows.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from shared.backends import open_port
from shared.errors import Invalid, NotFound, Unavailable
from shared.records import Comment, Insight, Media, Message, Post, Reaction, Share
from tests.contract.conftest import backend_params, open_adapter, unique

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ms(when: datetime) -> datetime:
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


@pytest.fixture(params=backend_params("content"))
def kind(request):
    return request.param


@pytest.fixture
def content(kind, tmp_path):
    adapter = open_adapter("content", kind, tmp_path)
    yield adapter
    adapter.close()


def make_post(author=None, group=None, seconds=0.0, **changes) -> Post:
    post = Post(
        uuid=unique(),
        author_uuid=author or unique(),
        name="A title",
        text="Some words",
        scope="group" if group else "public",
        group_uuid=group,
        media=(unique(), unique()),
        url_slug="a-title",
        created_at=at(seconds),
    )
    return post.replace(**changes)


def make_message(sender, *, to_user=None, to_group=None, seconds=0.0, **changes) -> Message:
    message = Message(
        uuid=unique(),
        sender_uuid=sender,
        to_user=to_user,
        to_group=to_group,
        text="hello",
        created_at=at(seconds),
    )
    return message.replace(**changes)


def comment_on(post: Post, seconds: float, text="nice") -> Comment:
    return Comment(unique(), post.uuid, unique(), text, at(seconds))


def share_of(post: Post, seconds: float = 0) -> Share:
    return Share(unique(), post.uuid, post.author_uuid, unique(), "public", "look", at(seconds))


# -- posts --------------------------------------------------------------------------------
def test_a_post_comes_back_as_written_with_zero_counts(content):
    post = make_post(group=unique())
    content.put_post(post)
    got = content.get_post(post.uuid)
    assert got == post.replace(created_at=ms(post.created_at))
    assert got.created_at.tzinfo is not None
    assert (got.comment_count, got.reaction_count, got.share_count) == (0, 0, 0)


@pytest.mark.parametrize("uuid", ["3f2c1a8e-0000-4000-8000-000000000000", "not-a-uuid", ""])
def test_an_unknown_post_is_not_found(content, uuid):
    with pytest.raises(NotFound):
        content.get_post(uuid)


def test_putting_a_post_again_files_it_once_and_an_edit_keeps_its_place(content):
    post = make_post(group=unique())
    content.put_post(post)
    content.put_post(post)
    content.put_post(post.replace(text="edited", created_at=at(999)))
    [by_author] = content.posts_by_author(post.author_uuid, before=None, limit=10)
    [by_group] = content.posts_by_group(post.group_uuid, before=None, limit=10)
    assert by_author.text == by_group.text == content.get_post(post.uuid).text == "edited"
    assert by_author.created_at == ms(post.created_at)


def test_an_authors_posts_come_newest_first_and_page_by_before(content):
    author = unique()
    posts = [make_post(author=author, seconds=s) for s in (3, 1, 4, 0, 2)]
    for post in posts:
        content.put_post(post)
    newest_first = [p.uuid for p in sorted(posts, key=lambda p: p.created_at, reverse=True)]

    first = content.posts_by_author(author, before=None, limit=2)
    second = content.posts_by_author(author, before=first[-1].created_at, limit=2)
    rest = content.posts_by_author(author, before=second[-1].created_at, limit=10)

    assert [p.uuid for p in first + second + rest] == newest_first
    assert content.posts_by_author(author, before=ms(at(0)), limit=10) == []
    assert content.posts_by_author(unique(), before=None, limit=10) == []


def test_several_authors_posts_merge_newest_first_and_page_by_before(content):
    ada, bob, cy = unique(), unique(), unique()
    posts = [make_post(author=a, seconds=s) for a, s in ((ada, 5), (bob, 4), (ada, 3), (bob, 1))]
    posts += [make_post(author=ada, seconds=2, uuid=u) for u in sorted([unique(), unique()])]
    posts.append(make_post(author=cy, seconds=6))  # not asked for
    for post in posts:
        content.put_post(post)
    content.add_comment(comment_on(posts[0], 7))
    newest_first = [p.uuid for p in posts[:4]]
    newest_first.insert(3, posts[4].uuid)  # same millisecond: by uuid
    newest_first.insert(4, posts[5].uuid)

    first = content.posts_by_authors([ada, bob, ada], before=None, limit=3)
    rest = content.posts_by_authors([bob, ada], before=first[-1].created_at, limit=10)
    assert [p.uuid for p in first + rest] == newest_first
    assert first[0].comment_count == 1
    assert content.posts_by_authors([ada, bob], before=ms(at(1)), limit=10) == []
    assert content.posts_by_authors([], before=None, limit=10) == []
    assert content.posts_by_authors([unique(), "not a uuid"], before=None, limit=10) == []


def test_several_groups_posts_merge_newest_first_and_page_by_before(content):
    jazz, chess, other = unique(), unique(), unique()
    posts = [make_post(group=g, seconds=s) for g, s in ((jazz, 5), (chess, 4), (jazz, 3))]
    posts.append(make_post(group=other, seconds=6))  # not asked for
    for post in posts:
        content.put_post(post)
    first = content.posts_by_groups([jazz, chess, jazz], before=None, limit=2)
    rest = content.posts_by_groups([chess, jazz], before=first[-1].created_at, limit=10)
    assert [p.uuid for p in first + rest] == [p.uuid for p in posts[:3]]
    assert all(p.group_uuid in (jazz, chess) for p in first + rest)
    assert content.posts_by_groups([], before=None, limit=10) == []
    assert content.posts_by_groups([unique(), "not a uuid"], before=None, limit=10) == []


def test_a_groups_posts_are_its_own_newest_first(content):
    group, author = unique(), unique()
    older = make_post(author=author, group=group, seconds=1)
    newer = make_post(author=unique(), group=group, seconds=2)
    elsewhere = make_post(author=author, group=unique(), seconds=3)
    ungrouped = make_post(author=author, seconds=4)
    for post in (older, newer, elsewhere, ungrouped):
        content.put_post(post)
    assert [p.uuid for p in content.posts_by_group(group, before=None, limit=10)] == [
        newer.uuid,
        older.uuid,
    ]
    assert [p.uuid for p in content.posts_by_group(group, before=ms(at(2)), limit=10)] == [
        older.uuid
    ]


# -- comments, reactions, shares ------------------------------------------------------------
def test_comments_come_oldest_first_and_a_retried_comment_counts_once(content):
    post = make_post()
    content.put_post(post)
    comments = [comment_on(post, s, text=f"c{s}") for s in (2, 0, 1)]
    for comment in comments + comments:
        content.add_comment(comment)

    assert [c.text for c in content.comments(post.uuid)] == ["c0", "c1", "c2"]
    assert [c.text for c in content.comments(post.uuid, limit=2)] == ["c0", "c1"]
    assert content.comments(post.uuid)[0] == comments[1].replace(created_at=ms(at(0)))
    assert content.get_post(post.uuid).comment_count == 3


def test_one_reaction_per_user_and_code_and_deleting_it_uncounts(content):
    post = make_post()
    content.put_post(post)
    user = unique()
    assert content.put_reaction(Reaction(post.uuid, user, "like", at(1))) is True
    assert content.put_reaction(Reaction(post.uuid, user, "like", at(2))) is False
    assert content.put_reaction(Reaction(post.uuid, user, "love", at(3))) is True
    assert content.put_reaction(Reaction(post.uuid, unique(), "like", at(4))) is True
    assert content.get_post(post.uuid).reaction_count == 3
    assert sorted(r.code for r in content.reactions(post.uuid) if r.user_uuid == user) == [
        "like",
        "love",
    ]

    assert content.delete_reaction(post.uuid, user, "like") is True
    assert content.delete_reaction(post.uuid, user, "like") is False
    assert content.delete_reaction(post.uuid, "not-a-uuid", "like") is False
    assert content.get_post(post.uuid).reaction_count == 2
    assert len(content.reactions(post.uuid)) == 2


def test_a_retried_share_counts_once_and_shares_come_newest_first(content):
    post = make_post()
    content.put_post(post)
    first, second = share_of(post, 1), share_of(post, 2)
    for share in (first, second, first, second):
        content.put_share(share)
    assert [s.uuid for s in content.shares(post.uuid)] == [second.uuid, first.uuid]
    assert content.shares(post.uuid)[1] == first.replace(created_at=ms(first.created_at))
    assert content.get_post(post.uuid).share_count == 2


def test_listed_posts_carry_current_counts(content):
    post = make_post(group=unique())
    content.put_post(post)
    content.add_comment(comment_on(post, 1))
    content.put_reaction(Reaction(post.uuid, unique(), "like", at(1)))
    content.put_share(share_of(post))
    for listed in (
        content.posts_by_author(post.author_uuid, before=None, limit=5)[0],
        content.posts_by_group(post.group_uuid, before=None, limit=5)[0],
    ):
        assert (listed.comment_count, listed.reaction_count, listed.share_count) == (1, 1, 1)


def test_duplicate_writes_from_many_threads_count_once(content):
    post = make_post()
    content.put_post(post)
    comments = [comment_on(post, s) for s in range(5)]

    def write_all():
        for comment in comments:
            content.add_comment(comment)

    threads = [threading.Thread(target=write_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert content.get_post(post.uuid).comment_count == 5
    assert len(content.comments(post.uuid)) == 5


# -- the message archive --------------------------------------------------------------------
def test_a_conversation_archive_is_newest_first_pages_and_ignores_retries(content):
    ada, bob = unique(), unique()
    messages = [
        make_message(ada, to_user=bob, seconds=0),
        make_message(bob, to_user=ada, seconds=1, reply_to=unique(), client_id="c-1"),
        make_message(ada, to_user=bob, seconds=2, media=(unique(),)),
    ]
    for message in messages:
        content.archive_message(message)
    content.archive_message(messages[0].replace(created_at=at(50)))  # a retry, late
    content.archive_message(messages[1])

    conversation = messages[0].conversation
    assert conversation == messages[1].conversation
    first = content.archived_messages(conversation, before=None, limit=2)
    rest = content.archived_messages(conversation, before=first[-1].created_at, limit=5)
    assert [m.uuid for m in first + rest] == [m.uuid for m in reversed(messages)]
    assert first[0] == messages[2].replace(created_at=ms(messages[2].created_at))
    assert first[1].reply_to == messages[1].reply_to and first[1].client_id == "c-1"


def test_group_messages_archive_by_group(content):
    group = unique()
    message = make_message(unique(), to_group=group)
    content.archive_message(message)
    [got] = content.archived_messages(f"group:{group}", before=None, limit=10)
    assert got.to_group == group and got.to_user is None
    assert content.archived_messages(f"group:{unique()}", before=None, limit=10) == []


def test_direct_messages_archive_under_both_people_and_group_messages_under_neither(content):
    ada, bob = unique(), unique()
    first = make_message(ada, to_user=bob, seconds=0)
    second = make_message(bob, to_user=ada, seconds=1)
    grouped = make_message(ada, to_group=unique(), seconds=2)
    for message in (first, second, grouped, first):  # the retry files nothing twice
        content.archive_message(message)
    for person in (ada, bob):
        newest = content.archived_direct_messages(person, before=None, limit=10)
        assert [m.uuid for m in newest] == [second.uuid, first.uuid]
        older = content.archived_direct_messages(person, before=newest[0].created_at, limit=10)
        assert [m.uuid for m in older] == [first.uuid]
    assert content.archived_direct_messages(unique(), before=None, limit=10) == []
    assert content.archived_direct_messages("not a uuid", before=None, limit=10) == []


def test_an_archived_message_is_found_by_uuid(content):
    message = make_message(unique(), to_user=unique(), media=(unique(), unique()))
    content.archive_message(message)
    got = content.get_archived_message(message.uuid)
    assert got == message.replace(created_at=ms(message.created_at))
    assert got.contains_media
    assert content.get_archived_message(unique()) is None
    assert content.get_archived_message("nope") is None


# -- media, insights, device logs -----------------------------------------------------------
def test_media_pointers_and_what_points_at_them(content):
    media = Media(unique(), unique(), "image/png", 1234, "media/abc.png", at(0))
    content.put_media(media)
    content.put_media(media)
    assert content.get_media(media.uuid) == media.replace(created_at=ms(media.created_at))
    with pytest.raises(NotFound):
        content.get_media(unique())

    post, message = unique(), unique()
    for _ in range(2):
        content.attach_media(media.uuid, "post", post)
        content.attach_media(media.uuid, "message", message)
    assert sorted(content.media_attachments(media.uuid)) == [("message", message), ("post", post)]
    assert content.media_attachments(unique()) == []
    with pytest.raises(Invalid) as caught:
        content.attach_media(media.uuid, "comment", post)
    assert caught.value.field == "kind"


def test_an_insight_is_replaced_by_the_latest(content):
    name = unique("active-users-")
    assert content.get_insight(name) is None
    content.put_insight(Insight(name, at(0), {"count": 3, "users": ["a", "b"]}))
    content.put_insight(Insight(name, at(60), {"count": 4, "nested": {"x": 1.5}}))
    assert content.get_insight(name) == Insight(
        name, ms(at(60)), {"count": 4, "nested": {"x": 1.5}}
    )


def test_device_logs_come_newest_first_since_a_time(content):
    device = unique("sensor-")
    for s in (0, 2, 1, 2):  # the second log at 2s is a retry of the first
        content.put_device_log(device, at(s), "info", f"at {s}", {"seconds": s})
    logs = content.device_logs(device, since=None, limit=10)
    assert [log["message"] for log in logs] == ["at 2", "at 1", "at 0"]
    assert logs[0] == {
        "device_id": device,
        "ts": ms(at(2)),
        "level": "info",
        "message": "at 2",
        "extra": {"seconds": 2},
    }
    assert [log["message"] for log in content.device_logs(device, since=ms(at(1)), limit=10)] == [
        "at 2",
        "at 1",
    ]
    assert len(content.device_logs(device, since=None, limit=1)) == 1


# -- bad input, persistence, health ---------------------------------------------------------
@pytest.mark.parametrize(
    "write, field",
    [
        (lambda c: c.put_post(make_post(author="ada")), "author_uuid"),
        (lambda c: c.put_post(make_post(media=("x",))), "media"),
        (lambda c: c.add_comment(Comment(unique(), "p", unique(), "t", T0)), "post_uuid"),
        (lambda c: c.archive_message(make_message("s", to_user=unique())), "sender_uuid"),
        (lambda c: c.put_insight(Insight("n", T0, {"x": object()})), "result"),
    ],
)
def test_writes_name_the_field_that_is_not_valid(content, write, field):
    with pytest.raises(Invalid) as caught:
        write(content)
    assert caught.value.field == field


def test_everything_survives_a_reopen(content, kind, tmp_path):
    post = make_post()
    content.put_post(post)
    content.add_comment(comment_on(post, 1))
    message = make_message(unique(), to_user=unique())
    content.archive_message(message)
    content.close()

    again = open_adapter("content", kind, tmp_path)
    try:
        assert again.get_post(post.uuid).comment_count == 1
        assert again.get_archived_message(message.uuid).uuid == message.uuid
    finally:
        again.close()


def test_health_passes_on_a_working_store(content):
    content.health()


def test_an_unreachable_store_is_unavailable(tmp_path):
    for url in (f"sqlite:///{tmp_path}", "cassandra://127.0.0.1:1/townsquare"):
        with pytest.raises(Unavailable):
            open_port("content", url).health()


# -- whole tables (the analytics export) ----------------------------------------------------
def test_the_whole_table_reads_include_every_row_written(content):
    post = make_post(group=unique())
    content.put_post(post)
    comment = comment_on(post, 1)
    content.add_comment(comment)
    reaction = Reaction(post.uuid, unique(), "like", at(2))
    content.put_reaction(reaction)
    share = share_of(post, 3)
    content.put_share(share)
    message = make_message(unique(), to_group=unique(), seconds=4)
    content.archive_message(message)
    device = unique("device-")
    content.put_device_log(device, at(5), "error", "overheated", {"celsius": 90})

    [got] = [p for p in content.all_posts() if p.uuid == post.uuid]
    assert (got.comment_count, got.reaction_count, got.share_count) == (1, 1, 1)
    assert got.group_uuid == post.group_uuid and got.created_at == ms(post.created_at)
    assert comment.replace(created_at=ms(comment.created_at)) in list(content.all_comments())
    assert reaction.replace(created_at=ms(reaction.created_at)) in list(content.all_reactions())
    assert share.uuid in {s.uuid for s in content.all_shares()}
    [archived] = [m for m in content.all_archived_messages() if m.uuid == message.uuid]
    assert archived.to_group == message.to_group and archived.created_at == ms(message.created_at)
    [log] = [row for row in content.all_device_logs() if row["device_id"] == device]
    assert (log["level"], log["message"], log["extra"]) == ("error", "overheated", {"celsius": 90})


def test_all_posts_reads_past_one_batch_of_counters(content):
    author = unique()
    posts = [make_post(author=author, seconds=s) for s in range(105)]
    for post in posts:
        content.put_post(post)
    content.add_comment(comment_on(posts[-1], 1))
    mine = {p.uuid: p for p in content.all_posts() if p.author_uuid == author}
    assert set(mine) == {p.uuid for p in posts}
    assert mine[posts[-1].uuid].comment_count == 1


def test_archive_messages_writes_a_batch_once_each_and_ignores_retries(content):
    ada, bob = unique(), unique()
    messages = [make_message(ada, to_user=bob, seconds=n) for n in range(20)]
    content.archive_messages(messages)
    content.archive_messages(messages[:5])  # a redelivered batch
    content.archive_messages([])
    archived = content.archived_messages(messages[0].conversation, before=None, limit=50)
    assert [m.uuid for m in archived] == [m.uuid for m in reversed(messages)]
