"""The archival sweep: a backstop for the event-driven archive.

`archive_message` runs on every `message.created` event. If a process dies after storing
a message live but before publishing its event, no event will ever come; this sweep,
every minute, archives any live message of the last few minutes that the archive does
not hold yet (idempotent by uuid, like the event path), so such a message is still
archived long before its live copy expires.
"""

from __future__ import annotations

from datetime import timedelta

from cloudevents.http import CloudEvent

from functions.registry import app
from shared.context import Context
from shared.records import parse_time

WINDOW = timedelta(minutes=3)  # each message is seen by about three ticks
SETTLE = timedelta(seconds=30)  # give the event path time to do it first
BATCH = 5000


@app.schedule("* * * * *")
def sweep_unarchived(event: CloudEvent, ctx: Context) -> int:
    """Archive live messages of the last minutes that the archive lacks; return how many."""
    tick = parse_time(event["subject"])
    recent = ctx.live.messages_between(after=tick - WINDOW, before=tick - SETTLE, limit=BATCH)
    missing = [m for m in recent if ctx.content.get_archived_message(m.uuid) is None]
    for message in missing:
        ctx.content.archive_message(message)
    if missing:
        ctx.log.warning(
            "archival sweep archived %d message(s) the event path had not", len(missing)
        )
    return len(missing)
