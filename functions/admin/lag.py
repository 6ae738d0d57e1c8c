"""How far behind each event function is: its consumer group's lag on the event topic.

Lag is the records the group has not committed yet (end offsets minus committed, summed
over partitions), read from the bus itself, so every process's consumers count. Read by
GET /admin/services (operators) and exported as the `townsquare_event_lag` gauge at
/metrics, beside `townsquare_bus_outbox_depth` (published, not on the log yet).
"""

from __future__ import annotations

import logging

from functions.registry import EventTrigger, Registry
from shared.context import Services
from shared.errors import TownsquareError

log = logging.getLogger("townsquare.lag")


def event_lag(services: Services, registry: Registry) -> dict[str, int | None]:
    """{function name: lag} for every event function; None where the bus cannot tell."""
    lag: dict[str, int | None] = {}
    for function in registry.functions.values():
        if not function.of_kind(EventTrigger):
            continue
        try:
            lag[function.name] = services.bus.lag(services.settings.event_group(function.name))
        except TownsquareError as exc:  # the bus is down: unknown, not zero
            log.warning("lag of %s unknown: %s", function.name, exc)
            lag[function.name] = None
    return lag


def outbox_depth(services: Services) -> int | None:
    """Events published but not on the log yet; None where the bus cannot tell."""
    try:
        return services.bus.backlog()
    except TownsquareError:
        return None
