"""Reading uuids out of CloudEvents, which may come from outside producers: checked, never trusted."""

from __future__ import annotations

import uuid

from shared.errors import Invalid


def uuid_in(event, name: str) -> str:
    """The uuid at `name`: "subject" is the event's attribute, anything else a key of its data."""
    if name == "subject":
        value = event.get("subject")
    else:
        data = event.data if isinstance(event.data, dict) else {}
        value = data.get(name)
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"event {name} must be a uuid, got {value!r}", field=name) from None
