"""Run every `@app.schedule(cron)` function on its schedule.

APScheduler keeps the time; several processes may run the same schedules (several
gateway replicas, say), so each tick first takes a lock in the live store named by the
function and the tick's minute: exactly one process runs a given tick. The
function gets a CloudEvent `townsquare.cron.tick` whose subject is that tick's time, run
by triggers/invoke.py (retry, dead letter); an outage that outlasts the retries loses
that tick only, with an error in the log.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger as ApsCron

from functions.registry import Function, Registry, Schedule
from shared.context import Context, Services
from shared.errors import Unavailable
from shared.events import make_event
from shared.records import iso
from triggers.invoke import run_on_event

log = logging.getLogger("townsquare.cron")
LOCK_SECONDS = 3600


def run_tick(function: Function, ctx: Context, tick: datetime) -> bool:
    """Run one tick of `function` unless another process already took it; True if it ran here."""
    when = iso(tick.astimezone(UTC))
    if not ctx.live.acquire_lock(f"cron:{function.name}:{when}", LOCK_SECONDS):
        return False
    event = make_event("townsquare.cron.tick", when, {"function": function.name, "tick": when})
    try:
        run_on_event(ctx, function, event, trigger="cron", source=f"cron/{function.name}", key=when)
    except Unavailable as exc:
        log.error("%s tick %s failed: %s", function.name, when, exc.message)
    return True


class CronTrigger:
    def __init__(self, services: Services, registry: Registry) -> None:
        self.ctx = Context(services=services)
        off = {name.strip() for name in services.settings.cron_off.split(",") if name.strip()}
        self.schedules = [(f, s) for f, s in registry.by_kind(Schedule) if f.name not in off]
        self.scheduler = BackgroundScheduler(timezone=UTC)

    def start(self) -> None:
        for function, schedule in self.schedules:
            trigger = ApsCron.from_crontab(schedule.cron, timezone=UTC)
            self.scheduler.add_job(
                self._fire,
                trigger,
                args=[function],
                id=function.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=60,
            )
        self.scheduler.start()

    def _fire(self, function: Function) -> None:
        # crontab's resolution is the minute: every process firing this tick names it alike
        run_tick(function, self.ctx, datetime.now(UTC).replace(second=0, microsecond=0))

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
