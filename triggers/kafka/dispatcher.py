"""Run the functions subscribed to event types (`@app.on_event`) over the bus.

Each function is its own consumer group (`townsquare.fn.<name>`; the prefix is a
setting), so each sees every event once, in order per key. `run_forever` runs each
group's consumer in a thread of its own, so a slow function (indexing, archival) never
holds the others back; `drain` (tests, tools) polls the groups still behind in turn. Offsets are committed only
after the function has finished with the events (at-least-once; functions are
idempotent by uuid): by `drain`/`run_once` once per polled batch and partition, by
`run_forever` at most every `consumer.commit_every` seconds (the log's own choice, as
Kafka's auto-commit interval: on the embedded log a dozen groups committing every
one-event batch, each in a write transaction, cost the send path more than the events did). What the function rejects
(bad data, unknown entity) and what is not a CloudEvent goes to the dead-letter topic
with the reason, and the stream moves on. A backend outage is retried with backoff; if
it lasts, the consumer is dropped uncommitted and rebuilt, so the events are delivered
again.

The same code serves the embedded bus and Kafka: it only speaks the Bus port. Running
the function (retry, dead letter, metrics) is triggers/invoke.py's, as for every trigger.
"""

from __future__ import annotations

import logging
import threading
import time

from functions.registry import EventTrigger, Function, Registry
from shared.context import Context, Services
from shared.errors import Unavailable
from shared.ports import Consumer, Delivery
from shared.ports.bus import EVENTS
from triggers.invoke import ATTEMPTS, Arrival, publish_dead_letter, run_on_batch

log = logging.getLogger("townsquare.events")


class EventDispatcher:
    def __init__(self, services: Services, registry: Registry, *, attempts: int = ATTEMPTS) -> None:
        self.services = services
        self.ctx = Context(services=services)
        self.subscribers: list[tuple[Function, set[str]]] = [
            (function, {t.type for t in function.of_kind(EventTrigger)})
            for function in registry.functions.values()
            if function.of_kind(EventTrigger)
        ]
        self._consumers: dict[str, Consumer] = {}
        self.attempts = attempts

    def group_of(self, function: Function) -> str:
        return self.services.settings.event_group(function.name)

    def run_once(self, timeout: float = 0.0) -> int:
        """Poll every subscriber once; return how many deliveries were handled."""
        return self._poll(self.subscribers, timeout)

    def drain(self, *, timeout: float = 0.0, rounds: int = 200) -> int:
        """Run until every subscriber has handled everything published so far, including
        what the functions published meanwhile (events may cause events); return how many
        deliveries were handled. Only subscribers still behind are polled. A remote log
        (Kafka) wants a small poll `timeout`: its fetches come back asynchronously."""
        total = 0
        for _ in range(rounds):
            behind = [(f, types) for f, types in self.subscribers if not self._caught_up(f)]
            if not behind:
                return total
            total += self._poll(behind, timeout)
        log.warning("drain stopped after %d rounds with subscribers still behind", rounds)
        return total

    def _poll(
        self,
        subscribers: list[tuple[Function, set[str]]],
        timeout: float,
        stop: threading.Event | None = None,
        pending: dict[tuple[str, int], Delivery] | None = None,
    ) -> int:
        """Poll and handle each subscriber once. What was handled is committed at once, or,
        given `pending` (one subscriber's uncommitted last deliveries per partition), added
        to it for the caller to commit later."""
        handled = 0
        for function, types in subscribers:
            if stop is not None and stop.is_set():  # shutting down: not another poll's wait
                break
            consumer = self._consumer(function)
            try:
                done: dict[tuple[str, int], Delivery] = {} if pending is None else pending
                deliveries = consumer.poll(timeout=timeout)
                self._handle(function, types, deliveries)
                for delivery in deliveries:
                    done[(delivery.topic, delivery.partition)] = delivery
                    handled += 1
                # its last delivery of each partition: a commit is a broker round trip
                # (a transaction on the embedded log)
                if done and pending is None:
                    consumer.commit(*done.values())
            except Unavailable:
                if pending is not None:
                    pending.clear()  # redelivered by the rebuilt consumer
                log.warning(
                    "%s: backend unavailable; will redeliver from the last commit", function.name
                )
                self._drop(function)
        return handled

    def _caught_up(self, function: Function) -> bool:
        try:
            return self._consumer(function).caught_up()
        except Unavailable:
            self._drop(function)
            return False

    def run_forever(self, stop: threading.Event, poll_timeout: float = 0.2) -> None:
        """Run every subscriber's consumer in a thread of its own until `stop` is set, so a
        slow function never holds the others up; return once all of them have stopped
        (each finishes the batch in hand and commits it first)."""
        threads = [
            threading.Thread(
                target=self._run_one,
                args=(subscriber, stop, poll_timeout),
                name=f"events-{subscriber[0].name}",
                daemon=True,
            )
            for subscriber in self.subscribers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _run_one(
        self, subscriber: tuple[Function, set[str]], stop: threading.Event, poll_timeout: float
    ) -> None:
        function = subscriber[0]
        pending: dict[tuple[str, int], Delivery] = {}
        committed = time.monotonic()
        while not stop.is_set():
            try:
                if not self._poll([subscriber], poll_timeout, stop, pending):
                    stop.wait(poll_timeout)
                waited = time.monotonic() - committed
                if pending and waited >= self._consumer(function).commit_every:
                    self._commit(function, pending)
                    committed = time.monotonic()
            except Exception:  # keep the loop alive; the event stays uncommitted
                log.exception("%s: event loop fault", function.name)
                pending.clear()
                self._drop(function)  # redelivered from the last commit
                stop.wait(1.0)
        if pending:  # the batch in hand is finished: commit it before stopping
            self._commit(function, pending)

    def _commit(self, function: Function, pending: dict[tuple[str, int], Delivery]) -> None:
        try:
            self._consumer(function).commit(*pending.values())
        except Unavailable:
            log.warning("%s: commit failed; will redeliver from the last commit", function.name)
            self._drop(function)
        pending.clear()

    def close(self) -> None:
        for name in list(self._consumers):
            self._consumers.pop(name).close()

    def _consumer(self, function: Function) -> Consumer:
        if function.name not in self._consumers:
            self._consumers[function.name] = self.services.bus.consumer(
                self.group_of(function), [EVENTS]
            )
        return self._consumers[function.name]

    def _drop(self, function: Function) -> None:
        consumer = self._consumers.pop(function.name, None)
        if consumer is not None:
            consumer.close()

    def _handle(self, function: Function, types: set[str], deliveries: list[Delivery]) -> None:
        """Run `function` on the events of a poll it subscribes to: one at a time, or all in
        one call for a batch function; what is not a CloudEvent is dead-lettered."""
        arrivals = []
        for delivery in deliveries:
            if delivery.event is None:
                self.dead_letter(delivery, function, "not a CloudEvent")
            elif delivery.event["type"] in types:
                arrivals.append(
                    Arrival(delivery.event, _source(delivery), delivery.raw, delivery.key)
                )
        run_on_batch(self.ctx, function, arrivals, trigger="event", attempts=self.attempts)

    def dead_letter(self, delivery: Delivery, function: Function | None, reason: str) -> None:
        publish_dead_letter(
            self.services,
            reason=reason,
            source=_source(delivery),
            function=function.name if function else None,
            raw=delivery.raw,
            key=delivery.key,
        )


def _source(delivery: Delivery) -> str:
    return f"{delivery.topic}/{delivery.partition}/{delivery.offset}"


__all__ = ["EventDispatcher", "EVENTS"]
