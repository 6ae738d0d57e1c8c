"""devices: logs published by devices on `townsquare/devices/{device_id}/logs`.

Payload {level, message, ts?, ...}: stored in content (device_logs, by device and time),
announced on the bus as `device.logged`, and readable by operators at
GET /devices/{device}/logs?since=&limit=.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cloudevents.http import CloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.http import Request
from functions.registry import app
from functions.visibility import require_operator
from shared.context import Context
from shared.errors import Invalid
from shared.records import iso

DEVICE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class DeviceLog(BaseModel):
    model_config = ConfigDict(extra="allow")
    level: str = Field(pattern="^(debug|info|warning|error|critical)$")
    message: str = Field(min_length=1, max_length=4000)
    ts: datetime | None = None


class LogQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    since: datetime | None = None
    limit: int = Field(default=100, ge=1, le=1000)


@app.on_mqtt("townsquare/devices/+/logs")
def device_log(event: CloudEvent, ctx: Context) -> None:
    """Store one device log line and announce it."""
    device = event.data["topic"].split("/")[2]
    if not DEVICE_ID.fullmatch(device):
        raise Invalid(f"device id must match {DEVICE_ID.pattern}", field="device_id")
    try:
        log = DeviceLog.model_validate(event.data["payload"])
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid(
            f"{'.'.join(map(str, first['loc']))}: {first['msg']}", field=str(first["loc"][0])
        ) from None
    when = _utc(log.ts) if log.ts else ctx.clock()
    extra = log.model_extra or {}
    ctx.content.put_device_log(device, when, log.level, log.message, extra)
    ctx.emit(
        "device.logged",
        device,
        {"device_id": device, "ts": iso(when), "level": log.level, "message": log.message, **extra},
    )


@app.route(
    "GET",
    "/devices/{device}/logs",
    query=LogQuery,
    summary="A device's logs, newest first (operators)",
)
def device_logs(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    device = req.params["device"]
    if not DEVICE_ID.fullmatch(device):
        raise Invalid(f"device id must match {DEVICE_ID.pattern}", field="device")
    query: LogQuery = req.query
    return {"items": ctx.content.device_logs(device, since=query.since, limit=query.limit)}


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
