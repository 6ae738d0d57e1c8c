"""The live port's contract, run on fakeredis (embedded) and on Redis (real)."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared.backends import open_port
from shared.errors import Unavailable
from shared.records import Message, utcnow
from tests.contract.conftest import backend_params, backend_url, unique

EXPIRED = 1.2  # seconds to wait for a key with a 1-second TTL to be gone


@pytest.fixture(params=backend_params("live"))
def kind(request):
    return request.param


@pytest.fixture
def live_url(kind, tmp_path):
    return backend_url("live", kind, tmp_path)


@pytest.fixture
def live(live_url):
    adapter = open_port("live", live_url)
    yield adapter
    adapter.close()


def a_message(group: str, seconds_ago: float = 0, **fields) -> Message:
    defaults = dict(
        uuid=unique(), sender_uuid=unique(), to_user=None, to_group=group, text="hello",
        created_at=utcnow() - timedelta(seconds=seconds_ago), media=(unique(),), client_id="c1",
    )  # fmt: skip
    return Message(**(defaults | fields))


def race(count: int, attempt) -> list:
    """Run `attempt(i)` in `count` threads released at once; their results in order."""
    barrier = threading.Barrier(count)

    def run(i: int):
        barrier.wait()
        return attempt(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_sessions_live_until_dropped_or_expired(live):
    kept, dropped, short, user = unique(), unique(), unique(), unique()
    live.put_session(kept, user, 60)
    live.put_session(dropped, user, 60)
    live.put_session(short, user, 1)
    live.drop_session(dropped)
    assert live.session_user(kept) == user
    assert live.session_user(dropped) is None
    assert live.session_user(short) == user
    time.sleep(EXPIRED)
    assert live.session_user(short) is None
    assert live.session_user(kept) == user
    assert live.session_user(unique()) is None


def test_a_users_sessions_are_listed_newest_first_while_alive(live):
    user, other = unique(), unique()
    first, second, short = unique(), unique(), unique()
    live.put_session(first, user, 60)
    time.sleep(0.01)
    live.put_session(second, user, 60)
    live.put_session(short, user, 1)
    live.put_session(unique(), other, 60)
    listed = live.user_sessions(user)
    assert {s.token_hash for s in listed} == {first, second, short}
    assert [s.token_hash for s in listed if s.token_hash != short] == [second, first]
    session = next(s for s in listed if s.token_hash == first)
    assert session.user_uuid == user
    assert 59 <= (session.expires_at - session.created_at).total_seconds() <= 61
    live.drop_session(second)
    time.sleep(EXPIRED)
    assert [s.token_hash for s in live.user_sessions(user)] == [first]


def test_a_session_keeps_its_snapshot_of_the_user_and_ends_with_it(live):
    user, other = unique(), unique()
    first, second, bare, alone = unique(), unique(), unique(), unique()
    snapshot = {"uuid": user, "name": "Ada", "is_operator": True, "signup_date": "2026-01-01Z"}
    live.put_session(first, user, 60, snapshot=snapshot)
    live.put_session(second, user, 60, snapshot=snapshot | {"name": "Ada L."})
    live.put_session(bare, user, 60)  # a session begun before snapshots existed
    live.put_session(alone, other, 1, snapshot={"uuid": other})
    assert live.session_snapshot(first) == snapshot
    assert live.session_snapshot(second)["name"] == "Ada L."
    assert live.session_snapshot(bare) is None and live.session_user(bare) == user
    assert live.session_snapshot(unique()) is None
    live.drop_session(first)
    assert live.session_snapshot(first) is None
    assert second in live.drop_user_sessions(user, keep=bare)
    assert live.session_snapshot(second) is None
    time.sleep(EXPIRED)
    assert live.session_snapshot(alone) is None


def test_ending_every_session_of_a_user_but_one(live):
    user, other = unique(), unique()
    kept, ended, elsewhere = unique(), unique(), unique()
    for token_hash in (kept, ended):
        live.put_session(token_hash, user, 60)
    live.put_session(elsewhere, other, 60)
    assert live.drop_user_sessions(user, keep=kept) == [ended]
    assert live.session_user(ended) is None and live.session_user(kept) == user
    assert live.session_user(elsewhere) == other
    assert sorted(live.drop_user_sessions(user)) == [kept]
    assert live.user_sessions(user) == []


def test_a_one_time_secret_is_taken_once(live):
    key, short = unique(), unique()
    live.put_once(key, "ada", 60)
    live.put_once(short, "bob", 1)
    assert live.take_once(key) == "ada"
    assert live.take_once(key) is None
    time.sleep(EXPIRED)
    assert live.take_once(short) is None


def test_messages_come_back_whole(live):
    message = a_message(unique(), reply_to=unique())
    live.put_message(message, 60)
    assert live.get_message(message.uuid) == message
    assert live.get_message(unique()) is None
    other, missing = a_message(unique()), unique()
    live.put_message(other, 60)
    found = live.get_messages([message.uuid, missing, other.uuid])
    assert found == {message.uuid: message, other.uuid: other}
    assert live.get_messages([]) == {}


def test_live_messages_newest_first_by_pages(live):
    group = unique()
    messages = [a_message(group, seconds_ago=10 - i) for i in range(5)]
    for message in messages:
        live.put_message(message, 60)
    live.put_message(messages[2], 60)  # idempotent by uuid
    live.put_message(a_message(unique()), 60)  # another conversation
    conversation = messages[0].conversation
    first = live.live_messages(conversation, before=None, limit=2)
    assert [m.uuid for m in first] == [messages[4].uuid, messages[3].uuid]
    rest = live.live_messages(conversation, before=first[-1].created_at, limit=10)
    assert [m.uuid for m in rest] == [m.uuid for m in reversed(messages[:3])]
    assert live.live_messages(conversation, before=messages[0].created_at, limit=10) == []
    assert live.live_messages(f"group:{unique()}", before=None, limit=10) == []


def test_expired_messages_leave_the_conversation(live):
    group = unique()
    lasting, fleeting = a_message(group, seconds_ago=2), a_message(group, seconds_ago=1)
    live.put_message(lasting, 60)
    live.put_message(fleeting, 1)
    assert len(live.live_messages(lasting.conversation, before=None, limit=10)) == 2
    time.sleep(EXPIRED)
    assert live.get_message(fleeting.uuid) is None
    assert live.live_messages(lasting.conversation, before=None, limit=1) == [lasting]


def test_inbox_replays_a_users_messages_after_a_point_oldest_first(live):
    me, other = unique(), unique()
    sent = [a_message(unique(), seconds_ago=10 - i) for i in range(5)]
    for message in sent:
        live.put_message(message, 60, inboxes=[me])
    live.put_message(a_message(unique()), 60, inboxes=[other])
    replay = live.inbox(me, after=sent[1].created_at, limit=10)
    assert [m.uuid for m in replay] == [m.uuid for m in sent[2:]]
    assert [m.uuid for m in live.inbox(me, after=sent[0].created_at, limit=2)] == [
        sent[1].uuid,
        sent[2].uuid,
    ]
    assert live.inbox(unique(), after=sent[0].created_at, limit=10) == []


def test_live_messages_after_a_point_are_the_conversations_oldest_first(live):
    group = unique()
    sent = [a_message(group, seconds_ago=10 - i) for i in range(5)]
    for message in sent:
        live.put_message(message, 60)
    live.put_message(a_message(unique()), 60)  # another conversation
    conversation = sent[0].conversation
    after = live.live_messages_after(conversation, after=sent[1].created_at, limit=10)
    assert [m.uuid for m in after] == [m.uuid for m in sent[2:]]
    first_two = live.live_messages_after(conversation, after=sent[0].created_at, limit=2)
    assert [m.uuid for m in first_two] == [sent[1].uuid, sent[2].uuid]
    assert live.live_messages_after(conversation, after=sent[4].created_at, limit=10) == []
    assert live.live_messages_after(f"group:{unique()}", after=sent[0].created_at, limit=9) == []


def test_messages_between_lists_every_live_message_in_a_window(live):
    old, mid, new = (a_message(unique(), seconds_ago=s) for s in (300, 200, 100))
    for message in (new, old, mid):
        live.put_message(message, 60)
    window = live.messages_between(after=old.created_at, before=new.created_at, limit=1000)
    uuids = [m.uuid for m in window]
    assert mid.uuid in uuids and new.uuid in uuids and old.uuid not in uuids
    assert uuids.index(mid.uuid) < uuids.index(new.uuid)


def test_one_client_id_is_claimed_once(live):
    sender, client_id = unique(), unique()
    claims = [unique() for _ in range(8)]
    results = race(8, lambda i: live.claim_client_id(sender, client_id, claims[i], 60))
    winners = [claims[i] for i, holder in enumerate(results) if holder is None]
    assert len(winners) == 1
    assert all(holder == winners[0] for holder in results if holder is not None)
    assert live.claim_client_id(sender, client_id, unique(), 60) == winners[0]
    assert live.claim_client_id(unique(), client_id, unique(), 60) is None  # per sender


def test_pub_sub_reaches_other_adapters_on_the_same_url(live, live_url):
    other = open_port("live", live_url)
    wanted, unwanted = unique("chan-"), unique("chan-")
    subscription = other.subscribe([wanted])
    try:
        assert subscription.get(timeout=0.1) is None
        live.publish(unwanted, {"n": 0})
        live.publish(wanted, {"n": 1, "text": "héllo"})
        live.publish(wanted, {"n": 2})
        assert subscription.get(timeout=5) == (wanted, {"n": 1, "text": "héllo"})
        assert subscription.get(timeout=5) == (wanted, {"n": 2})
        started = time.monotonic()
        assert subscription.get(timeout=0.3) is None
        assert time.monotonic() - started < 2
    finally:
        subscription.close()
        other.close()


def test_presence_expires(live):
    user = unique()
    assert not live.is_present(user)
    live.touch_presence(user, 1)
    assert live.is_present(user)
    time.sleep(EXPIRED)
    assert not live.is_present(user)


def test_hit_rate_allows_limit_hits_per_window(live):
    key, other = unique(), unique()
    assert [live.hit_rate(key, 3, 1) for _ in range(4)] == [True, True, True, False]
    assert live.hit_rate(other, 3, 1)
    time.sleep(EXPIRED)
    assert live.hit_rate(key, 3, 1)


def test_hit_rate_counts_concurrent_hits_exactly(live):
    key = unique()
    results = race(10, lambda i: live.hit_rate(key, 4, 60))
    assert results.count(True) == 4


def test_a_lock_has_one_holder_until_it_expires(live):
    name = unique()
    results = race(8, lambda i: live.acquire_lock(name, 1))
    assert results.count(True) == 1
    assert not live.acquire_lock(name, 1)
    time.sleep(EXPIRED)
    assert live.acquire_lock(name, 1)


def test_health(live):
    live.health()


@pytest.mark.parametrize("kind", ["embedded"])
def test_embedded_data_survives_close_and_reopen(live_url):
    first = open_port("live", live_url)
    message = a_message(unique())
    first.put_message(message, 60)
    first.put_session("kept", "ada", 60)
    first.put_session("short", "ada", 1)
    first.claim_client_id("ada", "c1", message.uuid, 60)
    first.close()
    time.sleep(EXPIRED)
    second = open_port("live", live_url)
    try:
        assert second.get_message(message.uuid) == message
        assert second.live_messages(message.conversation, before=None, limit=5) == [message]
        assert second.session_user("kept") == "ada"
        assert second.session_user("short") is None
        assert second.claim_client_id("ada", "c1", unique(), 60) == message.uuid
    finally:
        second.close()


@pytest.mark.parametrize("kind", ["embedded"])
def test_embedded_saves_while_open(live_url, tmp_path):
    live = open_port("live", live_url)
    try:
        live.put_session("kept", "ada", 60)
        time.sleep(2.0)  # the saver runs about once a second
        crashed_copy = tmp_path / "copy.snapshot"
        shutil.copy(live_url.removeprefix("fakeredis://"), crashed_copy)
    finally:
        live.close()
    recovered = open_port("live", f"fakeredis://{crashed_copy}")
    try:
        assert recovered.session_user("kept") == "ada"
    finally:
        recovered.close()


def test_an_unreachable_redis_is_unavailable():
    live = open_port("live", "redis://127.0.0.1:1/0")
    with pytest.raises(Unavailable):
        live.health()
    with pytest.raises(Unavailable):
        live.session_user("x")
    live.close()


def test_counters_add_up_per_minute_and_read_back_with_zeros(live):
    series = unique("messages.account:")
    assert live.count(series, 1000, keep=60) == 1
    assert live.count(series, 1000, 4, keep=60) == 5
    assert live.count(series, 1002, keep=60) == 1
    assert live.counts(series, 999, 1003) == [0, 5, 0, 1, 0]
    assert live.counts(unique("nothing:"), 1, 3) == [0, 0, 0]
    assert live.counts(series, 5, 4) == []


def test_concurrent_counts_lose_no_hit(live):
    series = unique("posts:")
    race(8, lambda _: [live.count(series, 7, keep=60) for _ in range(25)])
    assert live.counts(series, 7, 7) == [200]


def test_a_counter_expires_after_its_keep_time(live):
    series = unique("failed:")
    live.count(series, 42, keep=1)
    time.sleep(EXPIRED)
    assert live.counts(series, 42, 42) == [0]


def test_a_sample_window_keeps_only_the_latest_values_newest_first(live):
    name = unique("window:")
    for value in range(7):
        live.push_sample(name, value, keep=5)
    assert live.samples(name) == [6.0, 5.0, 4.0, 3.0, 2.0]
    assert live.samples(unique("empty:")) == []


def test_a_timeline_returns_items_after_since_oldest_first_and_drops_old_ones(live):
    name, now = unique("flags:"), utcnow()
    live.add_to_timeline(name, now - timedelta(hours=2), {"n": 0}, keep=3600)
    for n in (1, 2, 3):
        live.add_to_timeline(name, now - timedelta(seconds=10 - n), {"n": n}, keep=3600)
    live.add_to_timeline(name, now - timedelta(seconds=7), {"n": 3}, keep=3600)  # a twin kept
    everything = live.timeline(name, since=now - timedelta(days=1), limit=10)
    assert [item["n"] for item in everything] == [1, 2, 3, 3]
    later = live.timeline(name, since=now - timedelta(seconds=8.5), limit=10)
    assert [item["n"] for item in later] == [2, 3, 3]
    assert len(live.timeline(name, since=now - timedelta(days=1), limit=2)) == 2


def test_stats_added_together_count_and_sample_like_one_at_a_time(live):
    series, window = unique("invocations:"), unique("latency:")
    live.count(series, 1000, keep=60)
    live.push_sample(window, 1.0, keep=3)
    live.add_stats(
        {(series, 1000): 4, (series, 1001): 2}, {window: [2.0, 3.0, 4.0]}, keep=60, window=3
    )
    assert live.counts(series, 1000, 1001) == [5, 2]
    assert live.samples(window) == [4.0, 3.0, 2.0]  # the window keeps its latest 3
