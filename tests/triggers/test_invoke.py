"""The one invocation path (triggers/invoke.py): retry on an outage, dead letter with the
reason on a rejection or a bug, and no token kept in a dead letter."""

from __future__ import annotations

import base64

import pytest

from functions.registry import EventTrigger, Function
from shared.context import Context
from shared.errors import NotFound, Unavailable
from shared.events import encode, make_event
from shared.ports.bus import DEAD_LETTER
from shared.records import new_uuid
from tests.buslog import BusLog
from tests.triggers.test_events import dead_letters
from triggers.invoke import Arrival, run_on_batch, run_on_event


def flaky(failures: int, calls: list[int]) -> Function:
    def handler(event, ctx):
        calls.append(1)
        if len(calls) <= failures:
            raise Unavailable("store down")

    return Function("test.flaky", handler, [EventTrigger("test.happened")])


def test_an_outage_is_retried_until_the_function_finishes(services):
    calls: list[int] = []
    event = make_event("test.happened", new_uuid(), {})
    ctx = Context(services=services)
    assert run_on_event(ctx, flaky(2, calls), event, trigger="event", source="test", attempts=3)
    assert len(calls) == 3


def test_an_outage_that_lasts_is_raised_and_nothing_is_dead_lettered(services):
    calls: list[int] = []
    log, key = BusLog(services, DEAD_LETTER), new_uuid()
    event = make_event("test.happened", key, {})
    with pytest.raises(Unavailable):
        run_on_event(
            Context(services=services),
            flaky(9, calls),
            event,
            trigger="event",
            source="test",
            key=key,
            attempts=2,
        )
    assert len(calls) == 2
    assert dead_letters(log, key) == []
    log.close()


@pytest.mark.parametrize(
    "failure, reason",
    [(NotFound("no such post"), "not_found: no such post"), (KeyError("uuid"), "KeyError: 'uuid'")],
)
def test_a_rejection_or_a_bug_is_dead_lettered_with_the_reason_and_no_token(
    services, failure, reason
):
    def handler(event, ctx):
        raise failure

    function = Function("test.rejects", handler, [EventTrigger("test.happened")])
    log, key = BusLog(services, DEAD_LETTER), new_uuid()
    event = make_event("test.happened", key, {"token": "secret-bearer-token", "text": "hi"})
    ok = run_on_event(
        Context(services=services), function, event, trigger="event", source="test/0/1", key=key
    )
    assert not ok
    [letter] = dead_letters(log, key)
    log.close()
    assert letter["reason"] == reason and letter["function"] == "test.rejects"
    original = base64.b64decode(letter["original_base64"])
    assert b"secret-bearer-token" not in original and b'"text": "hi"' in original
    assert b"secret-bearer-token" in encode(event)  # the event itself carried it


def test_a_batch_runs_in_one_call_and_a_poison_event_in_it_is_dead_lettered_alone(services):
    """A batch function gets the whole batch in one call; when that call fails, each event
    runs alone: the poison one is dead-lettered with its own reason, the rest finish."""
    calls: list[list[str]] = []

    def handler(events, ctx):
        calls.append([event["subject"] for event in events])
        if any(event.data.get("poison") for event in events):
            raise NotFound("no such post")

    function = Function("test.batch", handler, [EventTrigger("test.happened", batch=True)])
    keys = [new_uuid() for _ in range(3)]
    log = BusLog(services, DEAD_LETTER)
    ctx = Context(services=services)

    clean = [Arrival(make_event("test.happened", k, {}), f"t/0/{n}") for n, k in enumerate(keys)]
    assert run_on_batch(ctx, function, clean, trigger="event") == 3
    assert calls == [keys]  # one call for all three

    calls.clear()
    mixed = [
        Arrival(make_event("test.happened", k, {"poison": n == 1}), f"t/0/{n}", key=k)
        for n, k in enumerate(keys)
    ]
    assert run_on_batch(ctx, function, mixed, trigger="event") == 2
    assert calls == [keys, [keys[0]], [keys[1]], [keys[2]]]  # the batch, then each alone
    [letter] = dead_letters(log, keys[1])
    assert letter["reason"] == "not_found: no such post" and letter["source"] == "t/0/1"
    assert dead_letters(log, keys[0]) == dead_letters(log, keys[2]) == []
    log.close()
