"""The event functions that keep the live counters, and the minute tick that judges traffic.

Each counts its event on its series and hands the count to the detector. An event whose
data is not what its type promises is garbage: it is counted (`events.garbage`) and
rejected with the field named, so the dispatcher dead-letters it; no counter moves.
Messages, the busiest, are counted a batch at a time (one count per series and batch);
a batch holding garbage is rejected before anything is counted, and run again one event
at a time (triggers/invoke.py), where the garbage is counted once.
"""

from __future__ import annotations

from collections import Counter

from cloudevents.http import CloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.anomalies.detector import check, observe
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid
from shared.livestats import KEEP_COUNTS, minute_of

UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ACCOUNT = r"^([0-9a-f-]{36}|email:[0-9a-f]{16,64})$"  # a user uuid, or a hashed email
ERROR_LEVELS = {"error", "critical"}


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MessageCreated(_Data):
    sender_uuid: str = Field(pattern=UUID)
    to_group: str | None = Field(default=None, pattern=UUID)


class PostCreated(_Data):
    uuid: str = Field(pattern=UUID)


class LoginFailed(_Data):
    account: str = Field(pattern=ACCOUNT)


class DeviceLogged(_Data):
    device_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    level: str = Field(max_length=16)


def _data(event: CloudEvent, ctx: Context, model: type[_Data], *, alone: bool = True) -> _Data:
    try:
        return model.model_validate(event.data if isinstance(event.data, dict) else {})
    except ValidationError as exc:
        if alone:
            ctx.live.count("events.garbage", minute_of(ctx.clock()), keep=KEEP_COUNTS)
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"]))
        raise Invalid(f"{event['type']} data: {field}: {first['msg']}", field=field) from None


@app.on_event("message.created", batch=True)
def count_message(events: list[CloudEvent], ctx: Context) -> None:
    """Messages per minute per sending account and per group."""
    found = [_data(event, ctx, MessageCreated, alone=len(events) == 1) for event in events]
    series = Counter(("messages.account", data.sender_uuid) for data in found)
    series.update(("messages.group", data.to_group) for data in found if data.to_group)
    for (family, entity), n in series.items():
        observe(ctx, family, entity, by=n)


@app.on_event("post.created")
def count_post(event: CloudEvent, ctx: Context) -> None:
    """Posts per minute."""
    _data(event, ctx, PostCreated)
    observe(ctx, "posts")


@app.on_event("user.login_failed")
def count_failed_login(event: CloudEvent, ctx: Context) -> None:
    """Failed logins per minute, per account and overall."""
    data = _data(event, ctx, LoginFailed)
    observe(ctx, "logins.failed.account", data.account)
    observe(ctx, "logins.failed")


@app.on_event("device.logged")
def count_device_error(event: CloudEvent, ctx: Context) -> None:
    """Error (and critical) log lines per minute per device."""
    data = _data(event, ctx, DeviceLogged)
    if data.level in ERROR_LEVELS:
        observe(ctx, "device.errors", data.device_id)


@app.schedule("* * * * *")
def watch_traffic(event: CloudEvent, ctx: Context) -> None:
    """Judge HTTP requests and server errors (counted by the triggers): the minute that just
    ended, and the one under way, so a surge is flagged within a minute."""
    minute = minute_of(ctx.clock())
    for family in ("http.requests", "http.errors"):
        done, current = ctx.live.counts(family, minute - 1, minute)
        check(ctx, family, None, minute - 1, done)
        check(ctx, family, None, minute, current)
