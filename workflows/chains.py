"""The event flow between functions, read off the registry: event type → subscribers."""

from __future__ import annotations

from collections import defaultdict

from functions.registry import EventTrigger, Registry


def event_flow(registry: Registry) -> dict[str, list[str]]:
    """{"post.created": ["posts.index_post", ...], ...} — who runs when each event is published."""
    flow: dict[str, list[str]] = defaultdict(list)
    for function, trigger in registry.by_kind(EventTrigger):
        flow[trigger.type].append(function.name)
    return {event: sorted(names) for event, names in sorted(flow.items())}
