"""Serve any one HTTP function alone, the Cloud Functions way:

    functions-framework --source triggers/http/main.py --target create_post

Every HTTP function of the registry is a module-level callable here, named by its
handler's name; so is every event function, as a CloudEvent target
(`--signature-type cloudevent`, what Knative Eventing delivers), and every cron function
(a PingSource's ping runs the tick of its minute, as triggers/cron does). Each takes the framework's Flask request, finds its own route in the
request path (with or without the /api/v1 prefix) and runs through the same gateway
code as `townsquare dev` (auth, validation, JSON errors). Settings come from the
environment (TOWNSQUARE_*), read once per process on the first request.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime

from flask import Response, request

from functions.registry import EventTrigger, Function, Route, Schedule, load
from shared.context import Context, bootstrap
from shared.settings import Settings
from triggers.cron.scheduler import run_tick
from triggers.http.errors import error_response, to_response
from triggers.http.gateway import BASE, invoke
from triggers.http.web import web_app  # noqa: F401  the web app's own target (ts-web)
from triggers.invoke import run_on_event


@functools.cache
def _context() -> Context:
    return Context(services=bootstrap(Settings()))


def _pattern(route: Route) -> re.Pattern:
    return re.compile(re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", route.path) + "/?")


def standalone(function: Function):
    routes = [(route, _pattern(route)) for route in function.of_kind(Route)]

    def target(flask_request=None) -> Response:
        path = request.path.removeprefix(BASE) or "/"
        for route, pattern in routes:
            match = pattern.fullmatch(path)
            if match and request.method == route.method:
                try:
                    return invoke(function, route, _context(), match.groupdict())
                except Exception as exc:  # the one translation, same as the gateway's
                    return to_response(exc)
        return error_response(
            404,
            "not_found",
            f"{function.short_name} serves: "
            + ", ".join(f"{r.method} {BASE}{r.path}" for r, _ in routes),
        )

    target.__name__ = function.short_name
    return target


def event_target(function: Function):
    """A CloudEvent function, run as every trigger kind runs one (triggers/invoke.py):
    what it rejects goes to the dead-letter topic, and an outage that outlasts the
    retries raises, so the delivery is retried."""

    def target(cloud_event) -> None:
        run_on_event(
            _context(),
            function,
            cloud_event,
            trigger="event",
            source=f"knative/{function.name}",
            key=cloud_event.get("subject"),
        )

    target.__name__ = function.short_name
    return target


def schedule_target(function: Function):
    """A cron function behind a PingSource: each ping runs the tick of its minute, as the
    cron trigger does (one process runs a given tick)."""

    def target(cloud_event) -> None:
        run_tick(function, _context(), datetime.now(UTC).replace(second=0, microsecond=0))

    target.__name__ = function.short_name
    return target


_registry = load()
for _function, _ in _registry.routes():
    globals()[_function.short_name] = standalone(_function)
for _function, _ in _registry.by_kind(EventTrigger):
    globals()[_function.short_name] = event_target(_function)
for _function, _ in _registry.by_kind(Schedule):
    globals()[_function.short_name] = schedule_target(_function)
