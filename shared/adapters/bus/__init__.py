"""bus adapters: SqliteBus (`sqlite:///…/bus.db`, embedded) and KafkaBus (`kafka://host:port`).

Both hand records out as Delivery objects built here, so "not a CloudEvent" means the
same thing on either.
"""

from __future__ import annotations

from shared.errors import Invalid
from shared.events import decode
from shared.ports.bus import Delivery


def to_delivery(topic: str, partition: int, offset: int, key: str | None, raw: bytes) -> Delivery:
    """A record as the port hands it out: `event` is None when `raw` is not a CloudEvent."""
    try:
        event = decode(raw)
    except Invalid:
        event = None
    return Delivery(topic=topic, partition=partition, offset=offset, key=key, event=event, raw=raw)
