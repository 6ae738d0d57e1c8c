"""Domain events as CloudEvents (structured-mode JSON on the wire).

Event types are docs/api.md's names (`post.created`, `message.created`, ...); `subject`
is the uuid of the entity the event is about, and also its bus key, so the events
of one entity (one conversation, for messages) stay in order.
"""

from __future__ import annotations

from cloudevents.conversion import to_json
from cloudevents.http import CloudEvent, from_json

from shared.errors import Invalid
from shared.jsonin import load_object
from shared.records import new_uuid, utcnow

SOURCE = "/townsquare"


def make_event(type: str, subject: str, data: dict, *, source: str = SOURCE) -> CloudEvent:
    return CloudEvent(
        {
            "type": type,
            "source": source,
            "subject": subject,
            "id": new_uuid(),
            "time": utcnow().isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
        },
        data,
    )


def encode(event: CloudEvent) -> bytes:
    return to_json(event)


def decode(raw: bytes) -> CloudEvent:
    """Bytes → CloudEvent; Invalid naming the problem when they are not a structured CloudEvent."""
    body = load_object(raw, what="a CloudEvent", field="event")
    for attribute in ("specversion", "type", "source", "id"):
        if not isinstance(body.get(attribute), str) or not body[attribute]:
            raise Invalid(f"CloudEvent attribute {attribute!r} missing", field=attribute)
    try:
        return from_json(raw)
    except Exception as exc:  # the SDK raises several types for malformed input
        raise Invalid(f"not a CloudEvent: {exc}") from None
