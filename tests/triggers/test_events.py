"""The bus trigger: outside producers, poison events, and a consumer killed before commit."""

from __future__ import annotations

import json
import time

from functions.registry import load
from shared.events import encode, make_event
from shared.ports.bus import DEAD_LETTER, EVENTS
from shared.records import new_uuid
from tests.buslog import BusLog
from triggers.kafka import EventDispatcher


def dead_letters(log: BusLog, key: str) -> list[dict]:
    """The dead letters, since `log` was made, of what was published under `key`."""
    return [event.data for event in log.events("townsquare.dead_letter", key)]


def unique_word() -> str:
    return "w" + new_uuid().replace("-", "")[:12]


def delivered(consumer, type_: str, subject: str, within: float = 30.0):
    """Poll until the event of `type_` about `subject` comes (the group may have a backlog)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for delivery in consumer.poll(timeout=1.0):
            event = delivery.event
            if event and event["type"] == type_ and event["subject"] == subject:
                return delivery
    raise AssertionError(f"no {type_} about {subject} within {within}s")


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
    ada, post_uuid, word = api.person("Ada"), new_uuid(), unique_word()
    event = make_event(
        "post.created",
        post_uuid,
        outside_post(post_uuid, ada.uuid, f"zeppelin sightings {word}"),
        source="/outside/producer",
    )
    services.bus.publish_raw(encode(event), key=post_uuid, topic=EVENTS)
    api.settle()
    hits = api.get(f"/search?q=zeppelin+{word}&type=posts", ada).get_json()["items"]
    assert [hit["uuid"] for hit in hits] == [post_uuid]


def test_poison_events_go_to_dead_letter_with_the_reason_and_do_not_stall(api, services):
    ada, word, log = api.person("Ada"), unique_word(), BusLog(services, DEAD_LETTER)
    not_json, not_a_post = f"x-{new_uuid()}", f"not-a-post-{new_uuid()}"
    services.bus.publish_raw(b"\xff not json", key=not_json, topic=EVENTS)
    bad = make_event("post.created", not_a_post, {"nonsense": True})
    services.bus.publish(bad, key=not_a_post)
    api.settle()
    text = f"after the poison {word}"
    post = api.post("/posts", ada, json={"text": text, "scope": "public"}).get_json()["post"]
    api.settle()
    hits = api.get(f"/search?q=poison+{word}&type=posts", ada).get_json()["items"]
    assert hits[0]["uuid"] == post["uuid"]
    assert any("not a CloudEvent" in letter["reason"] for letter in dead_letters(log, not_json))
    letters = dead_letters(log, not_a_post)
    assert any(letter["function"] and "post" in letter["function"] for letter in letters)
    # every function on post.created names what is wrong, none fails with a stray KeyError
    pushed = [letter for letter in letters if "push_post" in letter["function"]]
    assert pushed and all("'author_uuid' must be a UUID" in p["reason"] for p in pushed)
    assert not any("KeyError" in letter["reason"] for letter in letters)
    log.close()


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
    delivery = delivered(consumer, "message.created", sent["uuid"])
    archive.handler([delivery.event], doomed.ctx)  # processed ...
    consumer.close()  # ... and the process dies: no commit
    api.settle()  # a fresh consumer of the same group
    history = api.get(f"/messages?with_user={ada.uuid}", bob).get_json()["items"]
    assert [m["uuid"] for m in history] == [sent["uuid"]]
    archived = services.content.archived_messages(
        f"dm:{min(ada.uuid, bob.uuid)}:{max(ada.uuid, bob.uuid)}", before=None, limit=10
    )
    assert [m.uuid for m in archived] == [sent["uuid"]]


def test_dead_letters_are_cloudevents_naming_source_and_reason(services):
    from triggers.invoke import publish_dead_letter

    log, source = BusLog(services, DEAD_LETTER), f"test/0/{new_uuid()}"
    publish_dead_letter(
        services, reason="bad: example", source=source, raw=b'{"a": 1}', function="f.g"
    )
    [letter] = dead_letters(log, source)
    log.close()
    assert letter["reason"] == "bad: example" and letter["source"] == source
    assert json.loads(__import__("base64").b64decode(letter["original_base64"])) == {"a": 1}


def test_a_slow_function_does_not_hold_the_others_and_stop_is_graceful(tmp_path):
    """run_forever runs each consumer group in its own thread: while one function is stuck
    on an event, another keeps up; on stop each finishes its batch and commits it.
    (Its own embedded bus: the groups are new, and must not start at a shared log's start.)"""
    import threading

    from functions.registry import Registry
    from shared.context import Services
    from shared.settings import Settings

    registry, release, seen = Registry(), threading.Event(), {"slow": [], "fast": []}

    @registry.on_event("test.tick")
    def slow(event, ctx):
        assert release.wait(30)
        seen["slow"].append(event["subject"])

    @registry.on_event("test.tick")
    def fast(event, ctx):
        seen["fast"].append(event["subject"])

    services = Services(Settings(data_dir=tmp_path, _env_file=None))
    subjects = [new_uuid() for _ in range(5)]
    for subject in subjects:
        services.bus.publish(make_event("test.tick", subject, {}), key=subject)
    dispatcher, stop = EventDispatcher(services, registry), threading.Event()
    runner = threading.Thread(target=dispatcher.run_forever, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 30
    while len(seen["fast"]) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(seen["fast"]) == sorted(subjects)  # in order per key, not across keys
    assert seen["slow"] == []  # not held by the stuck one
    stop.set()
    release.set()
    runner.join(30)
    assert not runner.is_alive()
    assert sorted(seen["slow"]) == sorted(subjects)  # the batch in hand was finished ...
    for function in registry.functions.values():  # ... and committed
        assert services.bus.lag(dispatcher.group_of(function)) == 0
    dispatcher.close()
    services.close()
