"""Invocation metrics: the one helper every trigger kind runs a function inside, and /metrics.

`instrumented(services, function, trigger)` times one invocation and records it twice:
- in this process's Prometheus registry (prometheus_client): invocations by function,
  trigger kind (http, event, mqtt, cron) and outcome (ok, rejected: a 4xx the caller
  caused, error: an outage or a bug), and a latency histogram — served at /api/v1/metrics;
- in the live store, shared by every process: per-minute invocation and error counters
  and a window of latency samples per function (shared/livestats.py), which
  GET /admin/services and the anomaly detector read. They are gathered in the process
  (Services.tally) and written together once a second, not a few writes per call.
Recording never fails the invocation: a live store that is down loses the samples only.

At each scrape, /metrics also reads the bus: `townsquare_event_lag{function}` (events a
function's consumer group has not processed: end offsets minus committed, shared by every
process) and `townsquare_bus_outbox_depth` (events published, not yet on the log) —
functions/admin/lag.py, which GET /admin/services reads too. A bus that cannot tell
reports NaN, never 0.

/metrics access: with Settings.metrics_token set, a scrape must send
`Authorization: Bearer <metrics_token>`; without it, only loopback callers are answered
(`townsquare dev`). Deployed, set the token (Prometheus' `authorization` scrape option).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from functions.admin.lag import event_lag, outbox_depth
from functions.registry import load
from shared.context import Services
from shared.errors import Forbidden, TownsquareError
from shared.livestats import errors, invocations, latency, minute_of
from shared.records import utcnow

log = logging.getLogger("townsquare.metrics")
LOOPBACK = {"127.0.0.1", "::1"}

INVOCATIONS = Counter(
    "townsquare_invocations",
    "Function invocations, by trigger kind and outcome (ok, rejected, error)",
    ["function", "trigger", "outcome"],
)
DURATION = Histogram(
    "townsquare_invocation_duration_seconds",
    "Time a function invocation took, by trigger kind",
    ["function", "trigger"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

EVENT_LAG = Gauge(
    "townsquare_event_lag",
    "Events a function's consumer group has not processed yet (end offset - committed)",
    ["function"],
)
OUTBOX_DEPTH = Gauge(
    "townsquare_bus_outbox_depth", "Events published but not yet on the log (the bus outbox)"
)


@contextmanager
def instrumented(services: Services, function: str, trigger: str) -> Iterator[None]:
    """Time and count one invocation of `function` by a `trigger` kind (see module doc)."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except TownsquareError as exc:
        outcome = "rejected" if exc.status < 500 else "error"
        raise
    finally:
        seconds = time.perf_counter() - started
        INVOCATIONS.labels(function, trigger, outcome).inc()
        DURATION.labels(function, trigger).observe(seconds)
        _share(services, function, trigger, outcome, seconds)


def _share(services: Services, function: str, trigger: str, outcome: str, seconds: float) -> None:
    counts = [invocations(function)]
    if trigger == "http":
        counts.append("http.requests")
    if outcome == "error":
        counts.append(errors(function))
        if trigger == "http":
            counts.append("http.errors")
    sample = {latency(function): round(seconds * 1000, 3)}
    services.tally.add(counts, minute_of(utcnow()), sample)


def attach_metrics(app: Flask, services: Services, base: str, openapi: dict) -> None:
    """Serve this process's Prometheus registry at <base>/metrics (access: see module doc),
    and describe it in the OpenAPI document."""

    def metrics() -> Response:
        _check_scraper(services.settings.metrics_token)
        _observe_bus(services)
        return Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule(base + "/metrics", "metrics", metrics, provide_automatic_options=False)
    openapi["paths"]["/metrics"] = {"get": OPENAPI_OPERATION}


def _observe_bus(services: Services) -> None:
    for function, lag in event_lag(services, load()).items():
        EVENT_LAG.labels(function).set(_unknown_is_nan(lag))
    OUTBOX_DEPTH.set(_unknown_is_nan(outbox_depth(services)))


def _unknown_is_nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)


OPENAPI_OPERATION = {
    "operationId": "metrics",
    "summary": "Invocation metrics in the Prometheus text format (scrapers; see metrics_token)",
    "responses": {
        "200": {
            "description": "success",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        "403": {"description": "not loopback, or a missing or wrong metrics token"},
    },
}


def _check_scraper(token: str) -> None:
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip(), token):
            raise Forbidden("metrics: send Authorization: Bearer <metrics token>")
    elif request.remote_addr not in LOOPBACK:
        raise Forbidden("metrics: only loopback may scrape when no metrics token is set")
