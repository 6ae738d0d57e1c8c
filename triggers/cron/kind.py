"""The cron trigger kind: `@app.schedule(cron)` functions.

- in `townsquare dev`: APScheduler (triggers/cron/scheduler.py), each tick once across
  processes (a lock in the live store);
- deployed: a functions-framework CloudEvent target per function: a PingSource's event
  (type dev.knative.sources.ping, its `time` the scheduled minute) runs that minute's tick;
- Knative: a PingSource per schedule, sinking into the function's service;
- SAM: a Schedule event per schedule (AWS cron syntax); Lambda: EventBridge's "Scheduled
  Event" (its `time` the scheduled minute) runs that minute's tick.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from functions.registry import Function, Registry, Schedule
from triggers.deploy.knative import NAMESPACE, service_name, service_ref


class CronKind:
    name = "cron"
    record = Schedule
    order = 30
    signature = "cloudevent"

    def start(self, runtime):
        runtime.cron.start()
        return runtime.cron.stop

    def target(self, function: Function):
        return schedule_target(function)

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        return {
            "eventing.yaml": [
                _ping_source(function, index, schedule)
                for function in functions
                for index, schedule in enumerate(function.of_kind(Schedule))
            ]
        }

    def sam_events(self, function: Function) -> dict[str, dict]:
        return {
            f"Schedule{index}": {
                "Type": "Schedule",
                "Properties": {"Schedule": aws_cron(schedule.cron)},
            }
            for index, schedule in enumerate(function.of_kind(Schedule))
        }

    def lambda_entry(self, event: dict, target: str) -> dict | None:
        if event.get("detail-type") != "Scheduled Event":
            return None
        from functions.registry import load
        from triggers.cron.scheduler import run_tick
        from triggers.kinds import deployed_context

        ran = run_tick(load().get(target), deployed_context(), _minute(event.get("time")))
        return {"handled": int(ran)}


KIND = CronKind()


def _minute(when: str | datetime | None) -> datetime:
    """The tick's minute: the scheduled time the event carries, else now."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return (when or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)


def schedule_target(function: Function):
    """A cron function behind a PingSource: each ping runs the tick of its scheduled minute
    (the event's `time`), as the cron trigger does (one process runs a given tick)."""
    from triggers.cron.scheduler import run_tick
    from triggers.kinds import deployed_context

    def target(cloud_event) -> None:
        run_tick(function, deployed_context(), _minute(cloud_event.get("time")))

    target.__name__ = function.short_name
    return target


def _ping_source(function: Function, index: int, schedule: Schedule) -> dict:
    return {
        "apiVersion": "sources.knative.dev/v1",
        "kind": "PingSource",
        "metadata": {"name": f"{service_name(function)}-cron-{index}", "namespace": NAMESPACE},
        "spec": {
            "schedule": schedule.cron,
            "contentType": "application/json",
            "data": "{}",
            "sink": service_ref(function),
        },
    }


def aws_cron(cron: str) -> str:
    """Five-field crontab → AWS's six-field cron(), which wants `?` in one of the day fields."""
    minute, hour, day, month, weekday = cron.split()
    if weekday == "*":
        weekday = "?"
    elif day == "*":
        day = "?"
    weekday = re.sub(r"\b([0-6])\b", lambda m: str(int(m.group(1)) + 1), weekday)  # AWS: 1=Sunday
    return f"cron({minute} {hour} {day} {month} {weekday} *)"
