"""Reading uuids out of CloudEvents, which may come from outside producers: checked, never trusted."""

from __future__ import annotations

from shared.records import canonical_uuid


def uuid_in(event, name: str) -> str:
    """The uuid at `name`: "subject" is the event's attribute, anything else a key of its data."""
    if name == "subject":
        value = event.get("subject")
    else:
        data = event.data if isinstance(event.data, dict) else {}
        value = data.get(name)
    return canonical_uuid(value, name, where=f"event {name}")
