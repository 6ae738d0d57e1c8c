"""messages over HTTP: direct and group chat, live push, history across live and archive,
client_id idempotency, replies — and every refusal, which must store nothing."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import timedelta

import pytest

from functions.messages.replay import missed
from functions.messages.sweep import sweep_unarchived
from shared.context import Context
from shared.events import make_event
from shared.records import Message, conversation_of, iso, new_timeuuid, parse_time, utcnow
from tests.functions.helpers import error
from tests.functions.helpers import group_of as _group_of

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def send(api, who, **body) -> dict:
    response = api.post("/messages", who=who, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["message"]


def read(api, who, **query) -> dict:
    response = api.get("/messages", who=who, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def texts(page: dict) -> list[str]:
    return [m["text"] for m in page["items"]]


def every_page(api, who, **query) -> list[str]:
    """The texts of a whole conversation, walking `next` back to the start."""
    pages, before = [], None
    while True:
        page = read(api, who, **query, **({"before": before} if before else {}))
        pages.insert(0, texts(page))
        before = page["next"]
        if before is None:
            return [text for page_texts in pages for text in page_texts]


def archived_only(services, sender, to_user, text, created_at) -> Message:
    message = Message(new_timeuuid(), sender.uuid, to_user.uuid, None, text, created_at)
    services.content.archive_message(message)
    return message


# --- sending ------------------------------------------------------------------------------


def test_a_direct_message_reaches_both_people_and_no_one_else(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    message = send(api, ada, to_user=bob.uuid, text="  hi Bob  ")
    assert (message["sender_uuid"], message["to_user"], message["to_group"]) == (
        ada.uuid,
        bob.uuid,
        None,
    )
    assert message["text"] == "hi Bob"
    assert message["conversation"] == conversation_of(ada.uuid, bob.uuid, None)
    assert uuid.UUID(message["uuid"]).version == 1
    assert parse_time(message["created_at"]) <= utcnow()
    assert read(api, bob, with_user=ada.uuid)["items"] == [message]
    assert read(api, ada, with_user=bob.uuid)["items"] == [message]
    assert read(api, cy, with_user=ada.uuid)["items"] == []


def test_sending_emits_message_created_keyed_by_conversation(api, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    message = send(api, ada, to_user=bob.uuid, text="hi")
    [(key, event)] = bus_log.keyed("message.created", ada.uuid)
    assert key == message["conversation"]
    assert event["subject"] == message["uuid"]
    assert event.data == message


def test_a_direct_message_is_pushed_to_both_people_and_a_group_message_once_to_its_group(
    api, services
):
    ada, bob, cy, dee = (api.person(n) for n in ("Ada", "Bob", "Cy", "Dee"))
    group = new_group(api, ada, bob, cy)
    people = [f"user:{p.uuid}" for p in (ada, bob, cy, dee)]
    subscription = services.live.subscribe([*people, f"group:{group}"])
    try:
        direct = send(api, ada, to_user=bob.uuid, text="just us")
        in_group = send(api, bob, to_group=group, text="all of us")
        pushed = _drain(subscription)
    finally:
        subscription.close()
    assert sorted(c for c, p in pushed if p["data"] == direct) == sorted(people[:2])
    # one publish for a group of three: each stream delivers it to its members' sockets
    assert [c for c, p in pushed if p["data"] == in_group] == [f"group:{group}"]
    assert {p["type"] for _, p in pushed} == {"message.created"}


def test_a_group_message_is_published_once_whatever_the_groups_size(api, services):
    ada, *others = (api.person(f"P{i}") for i in range(6))
    group = new_group(api, ada, *others)
    everywhere = [f"user:{p.uuid}" for p in (ada, *others)] + [f"group:{group}"]
    subscription = services.live.subscribe(everywhere)
    try:
        message = send(api, ada, to_group=group, text="to all six")
        pushed = _drain(subscription)
    finally:
        subscription.close()
    assert [c for c, p in pushed if p["data"] == message] == [f"group:{group}"]


def test_membership_changes_are_announced_on_the_persons_channel(api, services):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    subscription = services.live.subscribe([f"user:{p.uuid}" for p in (ada, bob, cy)])
    try:
        group = new_group(api, ada, bob)  # ada creates it, bob is added
        joined = api.post(f"/groups/{group}/members", who=cy, json={})  # cy joins (public)
        assert joined.status_code == 201, joined.get_json()
        assert api.delete(f"/groups/{group}/members/{cy.uuid}", who=cy).status_code == 204
        assert api.delete(f"/groups/{group}/members/{bob.uuid}", who=ada).status_code == 204
        assert api.delete(f"/groups/{group}", who=ada).status_code == 204
        pushed = _drain(subscription)
    finally:
        subscription.close()
    told = [(c.removeprefix("user:"), p["type"]) for c, p in pushed]
    assert told == [
        (ada.uuid, "group.joined"),
        (bob.uuid, "group.joined"),
        (cy.uuid, "group.joined"),
        (cy.uuid, "group.left"),
        (bob.uuid, "group.left"),
        (ada.uuid, "group.left"),
    ]
    assert {p["data"]["group"] for _, p in pushed} == {group}


def _drain(subscription) -> list[tuple[str, dict]]:
    pushed = []
    while (item := subscription.get(timeout=0.5)) is not None:
        pushed.append(item)
    return pushed


def test_group_chat_is_for_members_only(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    public, private = new_group(api, ada, bob), new_group(api, ada, bob, private=True)
    for group in (public, private):
        message = send(api, bob, to_group=group, text="members here")
        assert message["to_group"] == group and message["to_user"] is None
        assert read(api, ada, group=group)["items"] == [message]
    # a public group is visible, so a stranger is refused (403); a private one is hidden (404)
    error(api.post("/messages", who=cy, json={"to_group": public, "text": "hi"}), 403, "to_group")
    error(api.get("/messages", who=cy, query_string={"group": public}), 403, "group")
    error(api.post("/messages", who=cy, json={"to_group": private, "text": "hi"}), 404, "to_group")
    error(api.get("/messages", who=cy, query_string={"group": private}), 404, "group")
    assert texts(read(api, ada, group=public)) == ["members here"]


def test_a_removed_member_can_no_longer_chat_and_a_deleted_group_is_gone(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada, bob, private=True)
    send(api, bob, to_group=group, text="before")
    assert api.delete(f"/groups/{group}/members/{bob.uuid}", who=ada).status_code == 204
    error(api.post("/messages", who=bob, json={"to_group": group, "text": "hi"}), 404, "to_group")
    error(api.get("/messages", who=bob, query_string={"group": group}), 404, "group")
    assert api.delete(f"/groups/{group}", who=ada).status_code == 204
    error(api.post("/messages", who=ada, json={"to_group": group, "text": "hi"}), 404, "to_group")


def test_a_reply_points_at_a_message_of_the_same_conversation(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    first = send(api, ada, to_user=bob.uuid, text="lunch?")
    reply = send(api, bob, to_user=ada.uuid, text="yes", reply_to=first["uuid"])
    assert reply["reply_to"] == first["uuid"]
    elsewhere = send(api, cy, to_user=ada.uuid, text="psst")
    for reply_to in (elsewhere["uuid"], UNKNOWN):
        refused = api.post(
            "/messages", who=bob, json={"to_user": ada.uuid, "text": "x", "reply_to": reply_to}
        )
        error(refused, 400, "reply_to")
    api.settle()  # archived messages can be replied to as well
    assert (
        send(api, ada, to_user=bob.uuid, text="noon", reply_to=reply["uuid"])["reply_to"]
        == reply["uuid"]
    )


def test_media_in_a_message_must_be_the_senders_own(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    mine = _upload(api, ada)
    theirs = _upload(api, bob)
    message = send(api, ada, to_user=bob.uuid, text="look", media=[mine, mine])
    assert message["media"] == [mine]
    for media in ([theirs], [UNKNOWN]):
        refused = api.post(
            "/messages", who=ada, json={"to_user": bob.uuid, "text": "x", "media": media}
        )
        error(refused, 400, "media")


def _upload(api, who) -> str:
    response = api.post("/media", who=who, data=b"\x89PNG", content_type="image/png")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["media"]["uuid"]


# --- idempotency ------------------------------------------------------------------------


def test_the_same_client_id_twice_stores_one_message(api, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    first = send(api, ada, to_user=bob.uuid, text="once", client_id="c-1")
    again = send(api, ada, to_user=bob.uuid, text="once", client_id="c-1")
    assert again == first and first["client_id"] == "c-1"
    assert texts(read(api, bob, with_user=ada.uuid)) == ["once"]
    assert len(bus_log.events("message.created", ada.uuid)) == 1
    # the key is (sender, client_id): someone else's c-1 is their own message
    assert send(api, bob, to_user=ada.uuid, text="mine", client_id="c-1")["uuid"] != first["uuid"]


def test_concurrent_sends_with_one_client_id_store_one_message(api, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    body = {"to_user": bob.uuid, "text": "hello?", "client_id": "tap-tap-tap"}
    answers: list = []

    def tap():
        client = api.client.application.test_client()
        response = client.post("/api/v1/messages", json=body, headers=ada.auth)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} == {201}
    assert len({answer["message"]["uuid"] for _, answer in answers}) == 1
    assert texts(read(api, bob, with_user=ada.uuid)) == ["hello?"]
    assert len(bus_log.events("message.created", ada.uuid)) == 1


# --- history ------------------------------------------------------------------------------


def test_history_pages_back_in_time_each_page_oldest_first(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    for n in range(1, 6):
        send(api, ada if n % 2 else bob, to_user=bob.uuid if n % 2 else ada.uuid, text=f"m{n}")
    first = read(api, bob, with_user=ada.uuid, limit=2)
    assert texts(first) == ["m4", "m5"] and first["next"]
    second = read(api, bob, with_user=ada.uuid, limit=2, before=first["next"])
    assert texts(second) == ["m2", "m3"]
    last = read(api, bob, with_user=ada.uuid, limit=2, before=second["next"])
    assert texts(last) == ["m1"] and last["next"] is None
    assert texts(read(api, bob, with_user=ada.uuid)) == ["m1", "m2", "m3", "m4", "m5"]


def test_history_merges_live_and_archive_in_order_without_duplicates(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    old = archived_only(services, ada, bob, "from the archive", utcnow() - timedelta(days=30))
    for n in range(3):
        send(api, ada, to_user=bob.uuid, text=f"early {n}")
    before_archival = read(api, bob, with_user=ada.uuid)
    assert api.settle() >= 3  # archive_message ran on each
    assert read(api, bob, with_user=ada.uuid) == before_archival
    for n in range(3):
        send(api, bob, to_user=ada.uuid, text=f"late {n}")
    expected = [
        "from the archive",
        *(f"early {n}" for n in range(3)),
        *(f"late {n}" for n in range(3)),
    ]
    assert texts(read(api, ada, with_user=bob.uuid, limit=100)) == expected
    assert every_page(api, ada, with_user=bob.uuid, limit=2) == expected
    archived = services.content.archived_messages(
        conversation_of(ada.uuid, bob.uuid, None), before=None, limit=100
    )
    assert sorted(m.text for m in archived) == sorted(expected[:4])
    assert old.uuid in {m.uuid for m in archived}


def test_archive_message_is_idempotent(api, services, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    message = send(api, ada, to_user=bob.uuid, text="once")
    api.settle()
    [event] = bus_log.events("message.created", ada.uuid)
    services.bus.publish(event, key=message["conversation"])  # redelivered
    api.settle()
    conversation = message["conversation"]
    assert len(services.content.archived_messages(conversation, before=None, limit=10)) == 1
    assert texts(read(api, ada, with_user=bob.uuid)) == ["once"]


def test_messages_of_one_millisecond_are_not_lost_between_pages(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    when = utcnow().replace(microsecond=123000)
    stored = [Message(new_timeuuid(), ada.uuid, bob.uuid, None, f"t{n}", when) for n in range(5)]
    for message in stored[:3]:
        services.live.put_message(message, 3600)
    for message in stored[2:]:
        services.content.archive_message(message)
    walked = every_page(api, bob, with_user=ada.uuid, limit=1)
    assert sorted(walked) == [f"t{n}" for n in range(5)]
    assert walked == [m.text for m in sorted(stored, key=lambda m: m.uuid)]


def test_a_conversation_with_yourself_works(api):
    ada = api.person("Ada")
    note = send(api, ada, to_user=ada.uuid, text="remember the milk")
    assert read(api, ada, with_user=ada.uuid)["items"] == [note]


# --- refusals ------------------------------------------------------------------------------


def _bad_sends(ada, bob, group):
    return [
        ({"to_user": bob}, 400, "text"),
        ({"to_user": bob, "text": ""}, 400, "text"),
        ({"to_user": bob, "text": "   "}, 400, "text"),
        ({"to_user": bob, "text": 42}, 400, "text"),
        ({"to_user": bob, "text": "x" * 4001}, 400, "text"),
        ({"text": "hi"}, 400, "to_user"),
        ({"to_user": bob, "to_group": group, "text": "hi"}, 400, "to_group"),
        ({"to_user": "not-a-uuid", "text": "hi"}, 400, "to_user"),
        ({"to_user": 7, "text": "hi"}, 400, "to_user"),
        ({"to_group": "nope", "text": "hi"}, 400, "to_group"),
        ({"to_user": UNKNOWN, "text": "hi"}, 404, "to_user"),
        ({"to_group": UNKNOWN, "text": "hi"}, 404, "to_group"),
        ({"to_user": bob, "text": "hi", "reply_to": "nope"}, 400, "reply_to"),
        ({"to_user": bob, "text": "hi", "media": "nope"}, 400, "media"),
        ({"to_user": bob, "text": "hi", "media": ["nope"]}, 400, "media.0"),
        ({"to_user": bob, "text": "hi", "media": [UNKNOWN]}, 400, "media"),
        ({"to_user": bob, "text": "hi", "client_id": ""}, 400, "client_id"),
        ({"to_user": bob, "text": "hi", "client_id": 5}, 400, "client_id"),
    ]


def test_bad_sends_are_refused_naming_the_field_and_store_nothing(api, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    for body, status, field in _bad_sends(ada.uuid, bob.uuid, group):
        error(api.post("/messages", who=ada, json={"client_id": "k", **body}), status, field)
    error(
        api.post("/messages", who=ada, data="{not json", content_type="application/json"),
        400,
        "body",
    )
    error(api.post("/messages", who=ada, json=["to_user", bob.uuid]), 400, "body")
    error(api.post("/messages", who=ada, json={"to_user": bob.uuid, "text": "x" * 1_100_000}), 413)
    assert bus_log.events("message.created", ada.uuid) == []
    assert read(api, ada, with_user=bob.uuid)["items"] == []
    assert read(api, ada, group=group)["items"] == []
    # client_id "k" was never claimed by the refusals above
    assert send(api, ada, to_user=bob.uuid, text="fine", client_id="k")["text"] == "fine"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({}, 400, "with_user"),
        ({"with_user": "{bob}", "group": "{group}"}, 400, "group"),
        ({"with_user": "nope"}, 400, "with_user"),
        ({"group": "nope"}, 400, "group"),
        ({"with_user": UNKNOWN}, 404, "with_user"),
        ({"group": UNKNOWN}, 404, "group"),
        ({"with_user": "{bob}", "before": "yesterday"}, 400, "before"),
        ({"with_user": "{bob}", "before": "2024-01-01T00:00:00Z~nope"}, 400, "before"),
        ({"with_user": "{bob}", "limit": "0"}, 400, "limit"),
        ({"with_user": "{bob}", "limit": "many"}, 400, "limit"),
        ({"with_user": "{bob}", "limit": "101"}, 400, "limit"),
    ],
)
def test_bad_history_queries_are_refused_naming_the_field(api, query, status, field):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada)
    query = {k: v.format(bob=bob.uuid, group=group) for k, v in query.items()}
    error(api.get("/messages", who=ada, query_string=query), status, field)


def test_messages_need_a_live_token(api, bus_log):
    ada, bob = api.person("Ada"), api.person("Bob")
    body = {"to_user": bob.uuid, "text": "hi"}
    wrong = {"Authorization": "Bearer not-a-token"}
    for headers in ({}, wrong, {"Authorization": "Basic abc"}):
        error(api.post("/messages", json=body, headers=headers), 401)
        error(api.get("/messages", query_string={"with_user": bob.uuid}, headers=headers), 401)
    assert api.post("/auth/logout", who=ada).status_code == 204
    error(api.post("/messages", who=ada, json=body), 401)
    error(api.get("/messages", who=ada, query_string={"with_user": bob.uuid}), 401)
    assert bus_log.events("message.created", bob.uuid) == []
    assert read(api, bob, with_user=ada.uuid)["items"] == []


def test_the_archival_sweep_archives_a_message_whose_event_was_lost(api, services):
    """A crash between the live store and the event: no message.created, the sweep archives it."""
    ada, bob = api.person("Ada"), api.person("Bob")
    # the tick is some moment of the past year: on a shared live store, no other test's
    # unarchived messages fall in its window
    at = utcnow().replace(microsecond=0) - timedelta(seconds=random.randrange(86_400, 31_536_000))
    lost = Message(
        new_timeuuid(), ada.uuid, bob.uuid, None, "event lost", at - timedelta(minutes=1)
    )
    services.live.put_message(lost, 3600, inboxes=[ada.uuid, bob.uuid])
    tick = make_event("townsquare.cron.tick", iso(at), {})
    assert sweep_unarchived(tick, Context(services=services)) == 1
    assert services.content.get_archived_message(lost.uuid) is not None
    assert sweep_unarchived(tick, Context(services=services)) == 0


# --- what a returning socket missed ---------------------------------------------------------


def test_replay_merges_direct_and_group_messages_in_order_after_since(api, services):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    group, other = new_group(api, ada, bob), new_group(api, cy)
    since = send(api, bob, to_user=ada.uuid, text="before")
    sent = [
        send(api, bob, to_group=group, text="g1"),
        send(api, cy, to_user=ada.uuid, text="d1"),
        send(api, ada, to_group=group, text="g2"),
        send(api, bob, to_user=ada.uuid, text="d2"),
    ]
    send(api, cy, to_group=other, text="not ada's group")
    send(api, bob, to_user=cy.uuid, text="not ada's chat")
    ctx = Context(services=services)
    after = parse_time(since["created_at"])
    replayed = [m.as_json() for m in missed(ctx, ada.uuid, after=after, limit=100)]
    assert [m for m in replayed if m["uuid"] != since["uuid"]] == sent
    first_two = [m.uuid for m in missed(ctx, ada.uuid, after=after, limit=2)]
    assert first_two == [m["uuid"] for m in replayed[:2]]


def test_a_removed_member_is_replayed_none_of_the_groups_messages(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada, bob, private=True)
    since = send(api, ada, to_group=group, text="while bob is in")
    assert api.delete(f"/groups/{group}/members/{bob.uuid}", who=ada).status_code == 204
    send(api, ada, to_group=group, text="after bob left")
    ctx = Context(services=services)
    after = parse_time(since["created_at"]) - timedelta(seconds=1)
    assert missed(ctx, bob.uuid, after=after, limit=100) == []
    assert [m.text for m in missed(ctx, ada.uuid, after=after, limit=100)] == [
        "while bob is in",
        "after bob left",
    ]


def test_replay_reads_a_groups_archive_when_the_live_store_lost_a_message(api, services):
    """A live store restarted without its keys (Redis killed before it saved) still replays
    what the archive has; a message both live and archived is replayed once."""
    ada, bob = api.person("Ada"), api.person("Bob")
    group = new_group(api, ada, bob)
    kept = send(api, ada, to_group=group, text="kept live")
    when = parse_time(kept["created_at"]) + timedelta(milliseconds=5)
    gone = Message(new_timeuuid(), ada.uuid, None, group, "only in the archive", when)
    services.content.archive_message(gone)
    api.settle()  # "kept live" is archived too
    ctx = Context(services=services)
    after = parse_time(kept["created_at"]) - timedelta(seconds=1)
    replayed = missed(ctx, bob.uuid, after=after, limit=100)
    assert [m.text for m in replayed] == ["kept live", "only in the archive"]


def test_replay_reads_the_direct_archive_when_the_live_store_lost_a_message(api, services):
    """The same for direct messages: the archive files each under both people, so the
    recipient and the sender's other devices are replayed it; nobody else is."""
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    kept = send(api, ada, to_user=bob.uuid, text="kept live")
    when = parse_time(kept["created_at"]) + timedelta(milliseconds=5)
    gone = Message(new_timeuuid(), ada.uuid, bob.uuid, None, "only in the archive", when)
    services.content.archive_message(gone)
    api.settle()  # "kept live" is archived too
    ctx = Context(services=services)
    after = parse_time(kept["created_at"]) - timedelta(seconds=1)
    for person in (bob, ada):
        replayed = missed(ctx, person.uuid, after=after, limit=100)
        assert [m.text for m in replayed] == ["kept live", "only in the archive"]
    assert missed(ctx, cy.uuid, after=after, limit=100) == []


def new_group(api, admin, *members, **options) -> str:
    return _group_of(api, admin, *members, **{"private": False, **options})


def test_message_ids_are_time_ordered_and_carry_no_host_address():
    import uuid as uuid_module

    ids = [uuid_module.UUID(new_timeuuid()) for _ in range(50)]
    assert all(i.version == 1 for i in ids)
    assert [i.time for i in ids] == sorted(i.time for i in ids)
    assert all(i.node & (1 << 40) for i in ids)  # multicast bit: a random node, not a MAC
    assert uuid_module.getnode() not in {i.node for i in ids}
    assert len({i.node for i in ids}) > 1
