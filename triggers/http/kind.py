"""The HTTP trigger kind: `@app.route` functions.

- in `townsquare dev`: the gateway (triggers/http/gateway.py) serves every route; the
  emulator runs its server, so there is nothing more to start;
- deployed: each function is its own functions-framework http target (`standalone`): it
  finds its route in the request path (with or without /api/v1) and runs through the
  gateway's code (auth, validation, JSON errors);
- Knative: HTTPRoutes (16 rules at most each, the Gateway API's limit) sending each
  /api/v1 path to its function's service, / and /assets/ to `ts-web` (the web app) and
  /api/v1/stream to `ts-stream` (the WebSocket gateway, never scaled to zero);
- SAM: an Api event per route; Lambda: API Gateway's proxy event.
"""

from __future__ import annotations

import base64
import functools
import re

from functions.registry import Function, Registry, Route
from triggers.deploy.knative import (
    NAMESPACE,
    knative_service,
    service_name,
)

WEB = "web_app"  # triggers/http/main.py's target serving the web app
STREAM = "ts-stream"
# The WebSocket gateway holds long-lived connections: always one pod up, and each request
# (one socket) may last as long as Knative allows by default (config-defaults'
# max-revision-timeout-seconds, 600); a client reconnects with ?since= and misses nothing.
STREAM_TIMEOUT_SECONDS = 600
# The Gateway API allows at most 16 rules in one HTTPRoute (its CRD's maxItems); the rules
# are spread over as many routes as that takes. Matching across routes of one listener
# follows the same precedence as within one, so the split changes no request's fate.
MAX_RULES = 16


class HttpKind:
    name = "http"
    record = Route
    order = 10
    signature = "http"

    def start(self, runtime):
        return lambda: None  # the emulator's own server runs the gateway

    def target(self, function: Function):
        return standalone(function)

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        return {
            "services.yaml": [
                knative_service("ts-web", WEB, "web.web_app", "http"),
                stream_service(),
            ],
            "routes.yaml": http_routes(registry),
        }

    def sam_events(self, function: Function) -> dict[str, dict]:
        return {
            f"Http{index}": {
                "Type": "Api",
                "Properties": {"Path": "/api/v1" + route.path, "Method": route.method.lower()},
            }
            for index, route in enumerate(function.of_kind(Route))
        }

    def lambda_entry(self, event: dict, target: str) -> dict | None:
        return lambda_http(event, target) if "httpMethod" in event else None


KIND = HttpKind()


def _pattern(route: Route) -> re.Pattern:
    return re.compile(re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", route.path) + "/?")


def standalone(function: Function):
    from flask import request

    from triggers.http.errors import error_response, to_response
    from triggers.http.gateway import BASE, invoke
    from triggers.kinds import deployed_context

    routes = [(route, _pattern(route)) for route in function.of_kind(Route)]

    def target(flask_request=None):
        path = request.path.removeprefix(BASE) or "/"
        for route, pattern in routes:
            match = pattern.fullmatch(path)
            if match and request.method == route.method:
                try:
                    return invoke(function, route, deployed_context(), match.groupdict())
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


def stream_service() -> dict:
    """The WebSocket gateway: `townsquare serve --no-triggers`, one uvicorn worker per pod
    (the asyncio stream with one live-store connection for all its sockets; Knative scales
    pods, not workers). `min-scale` 1: a socket cannot wake a scaled-to-zero service; the
    timeout is the longest Knative allows."""
    service = knative_service(
        STREAM,
        "",
        "websocket.stream",
        "http",
        min_scale=1,
        timeout_seconds=STREAM_TIMEOUT_SECONDS,
        annotations={
            # the activator stays out of the path while a pod is up (it would hold every
            # socket, under its own timeout, as well)
            "autoscaling.knative.dev/target-burst-capacity": "0",
            # an open socket is one request in flight: a pod holds thousands (bench B1s:
            # 10,000 in 804 MB); 1,000 keeps a group message to every socket fast
            "autoscaling.knative.dev/target": "1000",
        },
        command=["townsquare"],
        args=STREAM_ARGS,
    )
    # the pod serves the whole API: its probes ask the liveness route, which asks no backend
    # (a backend outage must not restart the pods holding every socket)
    from triggers.auth.identity import BASE

    container = service["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        check = {"path": f"{BASE}/health/live", "port": 8080}  # the containerPort
        container[probe] = {"httpGet": check, "periodSeconds": 10}
    return service


STREAM_ARGS = ["serve", "--host", "0.0.0.0", "--workers", "1", "--no-triggers"]  # PORT: Knative


def http_routes(registry: Registry) -> list[dict]:
    rules = _rules(registry)
    chunks = [rules[i : i + MAX_RULES] for i in range(0, len(rules), MAX_RULES)]
    return [
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": f"townsquare-api-{n}", "namespace": NAMESPACE},
            "spec": {"parentRefs": [{"name": "townsquare-gateway"}], "rules": chunk},
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


def backend(name: str) -> tuple[list[dict], list[dict]]:
    """A rule's filters and backendRefs for the Knative Service `name` (docs/deploy.md,
    "Routes"): the core Service Knative Serving creates for its route (an ExternalName
    pointing at the cluster-local gateway), with the host that gateway routes on."""
    host = f"{name}.{NAMESPACE}.svc.cluster.local"
    filters = [{"type": "URLRewrite", "urlRewrite": {"hostname": host}}]
    return filters, [{"group": "", "kind": "Service", "name": name, "port": 80}]


def _rule(matches: list[dict], name: str) -> dict:
    filters, refs = backend(name)
    return {"matches": matches, "filters": filters, "backendRefs": refs}


def _rules(registry: Registry) -> list[dict]:
    rules = []
    for function, route in sorted(
        registry.routes(), key=lambda pair: (pair[1].path, pair[1].method)
    ):
        pattern = "/api/v1" + re.sub(r"{\w+}", "[^/]+", route.path)
        match = {"path": {"type": "RegularExpression", "value": pattern}, "method": route.method}
        rules.append(_rule([match], service_name(function)))
    web = [
        {"path": {"type": "Exact", "value": "/"}, "method": "GET"},
        {"path": {"type": "PathPrefix", "value": "/assets/"}, "method": "GET"},
    ]
    rules.append(_rule(web, "ts-web"))
    stream = [{"path": {"type": "Exact", "value": "/api/v1/stream"}, "method": "GET"}]
    # a socket is one request: the route must not end it (0s: no timeout, as Knative's own
    # net-gateway-api routes set)
    rules.append(_rule(stream, STREAM) | {"timeouts": {"request": "0s"}})
    return rules


@functools.cache
def _flask():
    from flask import Flask

    return Flask("townsquare-lambda")


def lambda_http(event: dict, target: str) -> dict:
    """API Gateway (REST, proxy integration) → the function's functions-framework target."""
    import triggers.http.main as targets

    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    with _flask().test_request_context(
        event["path"],
        method=event["httpMethod"],
        headers=event.get("headers") or {},
        query_string=event.get("queryStringParameters") or {},
        data=data,
    ):
        response = getattr(targets, target)()
    return {
        "statusCode": response.status_code,
        "headers": dict(response.headers),
        "body": base64.b64encode(response.get_data()).decode(),
        "isBase64Encoded": True,
    }
