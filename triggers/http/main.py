"""The container's entry: serve any one function alone, the Cloud Functions way:

    functions-framework --source triggers/http/main.py --target create_post
    functions-framework --source triggers/http/main.py --target index_post --signature-type cloudevent

Every function of the registry whose trigger kind has a container target is a
module-level callable here, named by its handler's name, built by that kind
(triggers/<kind>/kind.py, `target()`): HTTP functions as http targets (each finds its
route in the request path, with or without /api/v1, and runs through the gateway's code),
event functions as CloudEvent targets (what Knative Eventing delivers) and cron functions
as CloudEvent targets of a PingSource. `web_app` serves the web app. Settings come from the
environment (TOWNSQUARE_*), read once per process on the first request.
"""

from __future__ import annotations

from functions.registry import load
from triggers.http.web import web_app  # noqa: F401  the web app's own target (ts-web)
from triggers.kinds import deployed_context as _context  # noqa: F401  (tests reset it)

_registry = load()
for _kind in _registry.kinds:
    for _function in _registry.functions.values():
        if _function.of_kind(_kind.record) and (_target := _kind.target(_function)):
            globals()[_function.short_name] = _target
