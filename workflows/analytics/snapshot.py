"""What the export reads, through the ports only: one list of rows per dataset.

A snapshot is cut at one instant, `as_of`: every row whose time is later is left out,
so the datasets agree with each other even while the community keeps writing (the
stores have no transaction spanning them; time is what they share). Live messages
not yet archived are read from live and marked `archived: False`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from shared.context import Services
from shared.ports.bus import EVENTS
from shared.records import parse_time

from .datasets import DATASETS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LIVE_LIMIT = 10_000_000  # live keeps days of messages, not millions


def read_snapshot(services: Services, as_of: datetime) -> Iterator[tuple[str, list[dict]]]:
    """(dataset name, its rows up to as_of), dataset by dataset, in DATASETS order."""
    for name, read in _READERS.items():
        time_column = DATASETS[name].time
        rows = [row for row in read(services, as_of) if row[time_column] <= as_of]
        yield name, rows


def _users(services: Services, as_of: datetime) -> Iterable[dict]:
    for user in services.accounts.all_users():
        yield {"uuid": user.uuid, "name": user.name, "signup_date": user.signup_date,
               "last_logged_in": user.last_logged_in}  # fmt: skip


def _groups(services: Services, as_of: datetime) -> Iterable[dict]:
    return (group.as_json() | _times(group, "created_on", "deleted_on")
            for group in services.accounts.all_groups())  # fmt: skip


def _memberships(services: Services, as_of: datetime) -> Iterable[dict]:
    for member in services.accounts.all_memberships():
        row = member.as_json() | _times(member, "added_on", "removed_on")
        row.pop("user_name")
        yield row


def _posts(services: Services, as_of: datetime) -> Iterable[dict]:
    return (post.as_json() | _times(post, "created_at") for post in services.content.all_posts())


def _comments(services: Services, as_of: datetime) -> Iterable[dict]:
    return (c.as_json() | _times(c, "created_at") for c in services.content.all_comments())


def _reactions(services: Services, as_of: datetime) -> Iterable[dict]:
    return (r.as_json() | _times(r, "created_at") for r in services.content.all_reactions())


def _shares(services: Services, as_of: datetime) -> Iterable[dict]:
    return (s.as_json() | _times(s, "created_at") for s in services.content.all_shares())


def _messages(services: Services, as_of: datetime) -> Iterable[dict]:
    archived = {}
    for message in services.content.all_archived_messages():
        archived[message.uuid] = _message_row(message, archived=True)
    live = services.live.messages_between(after=EPOCH, before=as_of, limit=LIVE_LIMIT)
    not_yet = {m.uuid: _message_row(m, archived=False) for m in live if m.uuid not in archived}
    return [*archived.values(), *not_yet.values()]


def _message_row(message, *, archived: bool) -> dict:
    row = {c: getattr(message, c) for c in DATASETS["messages"].columns if c != "archived"}
    return row | {"archived": archived}


def _device_logs(services: Services, as_of: datetime) -> Iterable[dict]:
    for log in services.content.all_device_logs():
        yield {c: log[c] for c in DATASETS["device_logs"].columns}


def _events(services: Services, as_of: datetime) -> Iterable[dict]:
    for delivery in services.bus.history(EVENTS):
        event = delivery.event
        if event is None or not event.get("time"):  # not a CloudEvent: the dead letters' business
            continue
        yield {"id": event["id"], "type": event["type"], "source": event["source"],
               "subject": event.get("subject"), "time": parse_time(event["time"]),
               "partition": delivery.partition, "offset": delivery.offset}  # fmt: skip


def _times(record, *names: str) -> dict:
    """The record's datetimes as datetimes (as_json() gives ISO text)."""
    return {name: getattr(record, name) for name in names}


_READERS: dict[str, Callable[[Services, datetime], Iterable[dict]]] = {
    "users": _users,
    "groups": _groups,
    "memberships": _memberships,
    "posts": _posts,
    "comments": _comments,
    "reactions": _reactions,
    "shares": _shares,
    "messages": _messages,
    "device_logs": _device_logs,
    "events": _events,
}
