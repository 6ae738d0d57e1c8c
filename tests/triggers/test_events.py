"""The bus trigger: outside producers, poison events, and a consumer killed before commit."""

from __future__ import annotations

import json

from functions.registry import load
from shared.events import encode, make_event
from shared.ports.bus import DEAD_LETTER, EVENTS
from triggers.kafka import EventDispatcher


def dead_letters(services) -> list[dict]:
    consumer = services.bus.consumer("test-dead-letter-reader", [DEAD_LETTER])
    try:
        return [d.event.data for d in consumer.poll(timeout=1.0)]
    finally:
        consumer.close()


def outside_post(uuid: str, author: str, text: str) -> dict:
    return {
        "uuid": uuid,
        "author_uuid": author,
        "name": text[:20],
        "text": text,
        "scope": "public",
        "group_uuid": None,
        "media": [],
        "url_slug": "outside-" + uuid[:8],
        "created_at": "2026-11-01T10:00:00Z",
        "comment_count": 0,
        "reaction_count": 0,
        "share_count": 0,
    }


def test_an_outside_producers_event_runs_the_subscribed_functions(api, services):
    ada = api.person("Ada")
    post_uuid = "5f0c6a3e-1111-4a7e-9c1e-000000000001"
    event = make_event(
        "post.created",
        post_uuid,
        outside_post(post_uuid, ada.uuid, "zeppelin sightings"),
        source="/outside/producer",
    )
    services.bus.publish_raw(encode(event), key=post_uuid, topic=EVENTS)
    api.settle()
    hits = api.get("/search?q=zeppelin&type=posts", ada).get_json()["items"]
    assert [hit["uuid"] for hit in hits] == [post_uuid]


def test_poison_events_go_to_dead_letter_with_the_reason_and_do_not_stall(api, services):
    ada = api.person("Ada")
    services.bus.publish_raw(b"\xff not json", key="x", topic=EVENTS)
    bad = make_event("post.created", "not-a-post", {"nonsense": True})
    services.bus.publish(bad, key="not-a-post")
    api.settle()
    post = api.post("/posts", ada, json={"text": "after the poison", "scope": "public"}).get_json()[
        "post"
    ]
    api.settle()
    assert (
        api.get("/search?q=poison&type=posts", ada).get_json()["items"][0]["uuid"] == post["uuid"]
    )
    letters = dead_letters(services)
    assert any("not a CloudEvent" in letter["reason"] for letter in letters)
    assert any(letter["function"] and "post" in letter["function"] for letter in letters)


def test_a_consumer_killed_between_processing_and_commit_loses_and_doubles_nothing(api, services):
    """Processing happens, the process dies before the commit: the next consumer of the
    group gets the event again, and the idempotent function leaves exactly one copy."""
    ada, bob = api.person("Ada"), api.person("Bob")
    sent = api.post(
        "/messages", ada, json={"to_user": bob.uuid, "text": "exactly once"}
    ).get_json()["message"]
    registry = load()
    archive = registry.get("archive_message")
    doomed = EventDispatcher(services, registry)
    consumer = doomed._consumer(archive)
    deliveries = [
        d for d in consumer.poll(timeout=1.0) if d.event and d.event["type"] == "message.created"
    ]
    assert deliveries
    archive.handler(deliveries[-1].event, doomed.ctx)  # processed ...
    consumer.close()  # ... and the process dies: no commit
    api.settle()  # a fresh consumer of the same group
    history = api.get(f"/messages?with_user={ada.uuid}", bob).get_json()["items"]
    assert [m["uuid"] for m in history] == [sent["uuid"]]
    archived = services.content.archived_messages(
        f"dm:{min(ada.uuid, bob.uuid)}:{max(ada.uuid, bob.uuid)}", before=None, limit=10
    )
    assert [m.uuid for m in archived] == [sent["uuid"]]


def test_dead_letters_are_cloudevents_naming_source_and_reason(services):
    from triggers.kafka.dispatcher import publish_dead_letter

    publish_dead_letter(
        services, reason="bad: example", source="test/0/1", raw=b'{"a": 1}', function="f.g"
    )
    letter = dead_letters(services)[-1]
    assert letter["reason"] == "bad: example" and letter["source"] == "test/0/1"
    assert json.loads(__import__("base64").b64decode(letter["original_base64"])) == {"a": 1}
