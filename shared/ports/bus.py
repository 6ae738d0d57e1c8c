"""bus: domain events between functions, as CloudEvents on named topics.

Semantics are Kafka's: an ordered log per key, consumer groups each seeing every
event, offsets committed only after processing (at-least-once). The dead-letter
topic receives what could not be processed, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from cloudevents.http import CloudEvent

EVENTS = "townsquare.events"
DEAD_LETTER = "townsquare.dead-letter"


@dataclass(frozen=True)
class Delivery:
    """One record handed to a consumer. `event` is None when the bytes were not a CloudEvent
    (the consumer dead-letters `raw` then)."""

    topic: str
    partition: int
    offset: int
    key: str | None
    event: CloudEvent | None
    raw: bytes


class Consumer(Protocol):
    commit_every: float
    """Seconds a long-running member lets pass between commits (0: after every batch): what
    suits its log, measured (bench B1/B2s). The embedded log commits in a write transaction
    that contends with the sends', so it commits twice a second; on Kafka a commit per batch
    measured cheaper (the consumers' polls grow costlier without its pause)."""

    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Delivery]: ...
    def commit(self, *deliveries: Delivery) -> None:
        """Everything up to and including each delivery, in its partition, is done (one
        write for them all: pass the last delivery of each partition a batch touched)."""

    def caught_up(self) -> bool:
        """True once this member has been handed every record published so far on the
        partitions it reads (a member still joining its group is not caught up)."""

    def close(self) -> None: ...


class Bus(Protocol):
    def publish(self, event: CloudEvent, *, key: str | None, topic: str = EVENTS) -> None:
        """Durably recorded before this returns, and on the log in order per key (at once on
        the embedded log; through a durable outbox on Kafka, so an outage never blocks)."""

    def publish_raw(self, value: bytes, *, key: str | None, topic: str) -> None: ...
    def consumer(self, group: str, topics: list[str]) -> Consumer:
        """A new member of consumer group `group`; starts at the group's committed offset,
        or at the beginning of the log for a new group."""

    def lag(self, group: str, topic: str = EVENTS) -> int:
        """Records on `topic` that `group` has not committed: end offsets minus committed
        offsets, summed over partitions (a group that never committed counts them all)."""

    def backlog(self) -> int:
        """Records published but not on the log yet (the outbox depth; 0 without one)."""

    def history(self, topic: str = EVENTS) -> Iterator[Delivery]:
        """Every record on `topic` published before the call, oldest first per partition
        (the analytics export's read of the event log). No consumer group moves."""

    def health(self) -> None: ...
    def close(self) -> None: ...
