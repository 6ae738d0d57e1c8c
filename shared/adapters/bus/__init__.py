"""bus adapters: SqliteBus (`sqlite:///…/bus.db`, embedded) and KafkaBus (`kafka://host:port`).

Both hand records out as Delivery objects built here, so "not a CloudEvent" means the
same thing on either. Every function's consumer group reads every record, so the events
decoded last are kept (by their bytes) and shared: a record is decoded once per process,
not once per group. Consumers only read an event, never change it.
"""

from __future__ import annotations

from functools import lru_cache

from cloudevents.http import CloudEvent

from shared.errors import Invalid
from shared.events import decode
from shared.ports.bus import Delivery


def to_delivery(topic: str, partition: int, offset: int, key: str | None, raw: bytes) -> Delivery:
    """A record as the port hands it out: `event` is None when `raw` is not a CloudEvent."""
    return Delivery(
        topic=topic, partition=partition, offset=offset, key=key, event=_decoded(raw), raw=raw
    )


@lru_cache(maxsize=4096)
def _decoded(raw: bytes) -> CloudEvent | None:
    try:
        return decode(raw)
    except Invalid:
        return None
