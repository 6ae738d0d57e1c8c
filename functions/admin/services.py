"""GET /admin/services: per function, over the last WINDOW_MINUTES, from the counters and
latency samples every trigger keeps in the live store (so every process's calls count),
and the scale recorded in app_service_groups_master.

health: "idle" (no invocation in the window), "ok", "degraded" (errors ≥ 5%), or
"failing" (errors ≥ 50%); errors are outages and bugs, not callers' 4xx mistakes.
`lag`: the events an event function has not processed yet (functions/admin/lag.py; null
for other functions, or when the bus cannot tell); `outbox`: events published but not
on the log yet.
"""

from __future__ import annotations

import statistics

from functions.admin.lag import event_lag, outbox_depth
from functions.http import Request
from functions.registry import Function, app, describe_trigger
from functions.visibility import require_operator
from shared.context import Context
from shared.livestats import errors, invocations, latency, minute_of
from shared.records import Service

WINDOW_MINUTES = 60
DEGRADED, FAILING = 0.05, 0.5


@app.route("GET", "/admin/services", summary="Every function as a service: health, load, scale")
def list_services(req: Request, ctx: Context) -> dict:
    require_operator(ctx)
    ctx.services.tally.flush()  # this process's last calls count at once
    scale = {service.name: service for service in ctx.accounts.services()}
    now = minute_of(ctx.clock())
    functions = sorted(app.functions.values(), key=lambda f: f.name)
    lag = event_lag(ctx.services, app)
    return {
        "items": [_item(ctx, f, scale.get(f.name), now, lag.get(f.name)) for f in functions],
        "outbox": outbox_depth(ctx.services),
    }


def _item(
    ctx: Context, function: Function, service: Service | None, now: int, lag: int | None
) -> dict:
    first = now - WINDOW_MINUTES + 1
    calls = sum(ctx.live.counts(invocations(function.name), first, now))
    failed = sum(ctx.live.counts(errors(function.name), first, now))
    error_rate = round(failed / calls, 4) if calls else 0.0
    p50, p99 = _percentiles(ctx.live.samples(latency(function.name)))
    return {
        "function": function.name,
        "triggers": [describe_trigger(t) for t in function.triggers],
        "health": _health(calls, error_rate),
        "invocations": calls,
        "error_rate": error_rate,
        "p50_ms": p50,
        "p99_ms": p99,
        "scale": _scale(service),
        "lag": lag,
    }


def _health(calls: int, error_rate: float) -> str:
    if not calls:
        return "idle"
    if error_rate >= FAILING:
        return "failing"
    return "degraded" if error_rate >= DEGRADED else "ok"


def _percentiles(samples: list[float]) -> tuple[float | None, float | None]:
    if not samples:
        return None, None
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return round(cuts[49], 3), round(cuts[98], 3)


def _scale(service: Service | None) -> dict | None:
    if service is None:
        return None
    return {
        "min": service.min_scale,
        "max": service.max_scale,
        "pods": service.pods_count,
        "image": service.image_id,
    }
