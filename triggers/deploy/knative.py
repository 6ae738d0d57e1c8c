"""Knative manifests from the registry.

services.yaml  one Knative Service per function (scale to zero), running functions-framework
               on triggers/http/main.py: HTTP functions as http targets, event functions as
               cloudevent targets.
               Plus `ts-web`, the web app's static files (target web_app, triggers/http/web.py).
routes.yaml    Gateway API HTTPRoutes (16 rules at most each) sending each /api/v1 path to its function's service,
               and / and /assets/ to ts-web.
eventing.yaml  the Broker, a KafkaSource feeding it townsquare.events, one Trigger per event
               subscription (filtered on the CloudEvent type), and a PingSource per schedule.
config.yaml    the ConfigMap of backend URLs every service reads (TOWNSQUARE_*).
mqtt.yaml      the MQTT bridge (`townsquare mqtt bridge`, every MQTT function): a Deployment of one
               pod, never scaled to zero since it holds the broker's persistent session, its broker
               URL from the Secret `townsquare-mqtt` — an empty placeholder the operator fills.
"""

from __future__ import annotations

import re

from functions.registry import EventTrigger, Function, MqttTrigger, Registry, Route, Schedule
from shared.settings import PORTS

IMAGE = "ghcr.io/townsquare/townsquare:0.1.0"
NAMESPACE = "townsquare"
WEB = "web_app"  # triggers/http/main.py's target serving the web app
BROKER = "townsquare"
# every function's autoscaling (Knative Pod Autoscaler): scale to zero, at most MAX_SCALE pods
MIN_SCALE, MAX_SCALE, TARGET_CONCURRENCY = 0, 20, 100


def deployed_as_service(function: Function) -> bool:
    """HTTP, event and cron functions are Knative Services (a PingSource sends the ticks);
    MQTT functions run in the MQTT bridge's process."""
    return bool(
        function.of_kind(Route) or function.of_kind(EventTrigger) or function.of_kind(Schedule)
    )


def service_name(function: Function) -> str:
    return "ts-" + function.short_name.replace("_", "-")


def render(registry: Registry) -> dict[str, list[dict]]:
    functions = sorted(registry.functions.values(), key=lambda f: f.short_name)
    return {
        "config.yaml": [_config()],
        "services.yaml": [_service(f) for f in functions if deployed_as_service(f)]
        + [_web_service()],
        "routes.yaml": _http_routes(registry),
        "eventing.yaml": _eventing(functions),
        "mqtt.yaml": _mqtt_bridge(functions),
    }


def _config() -> dict:
    data = {f"TOWNSQUARE_{port.upper()}_URL": "" for port in PORTS}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "townsquare-backends", "namespace": NAMESPACE},
        "data": data,
    }


def _service(function: Function) -> dict:
    cloudevent = not function.of_kind(Route)
    return _knative_service(service_name(function), function.short_name, function.name, cloudevent)


def _web_service() -> dict:
    return _knative_service("ts-web", WEB, "web.web_app", cloudevent=False)


def _knative_service(name: str, target: str, label: str, cloudevent: bool) -> dict:
    args = ["--source", "triggers/http/main.py", "--target", target, "--port", "8080"]
    if cloudevent:
        args += ["--signature-type", "cloudevent"]
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {
                "app.kubernetes.io/part-of": "townsquare",
                "townsquare/function": label,
            },
        },
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {
                        "autoscaling.knative.dev/min-scale": str(MIN_SCALE),
                        "autoscaling.knative.dev/max-scale": str(MAX_SCALE),
                        "autoscaling.knative.dev/target": str(TARGET_CONCURRENCY),
                    }
                },
                "spec": {
                    "containers": [
                        {
                            "name": "function",
                            "image": IMAGE,
                            "command": ["functions-framework"],
                            "args": args,
                            "ports": [{"containerPort": 8080}],
                            "envFrom": [{"configMapRef": {"name": "townsquare-backends"}}],
                        }
                    ]
                },
            }
        },
    }


# The Gateway API allows at most 16 rules in one HTTPRoute (its CRD's maxItems); the rules
# are spread over as many routes as that takes. Matching across routes of one listener
# follows the same precedence as within one, so the split changes no request's fate.
MAX_RULES = 16


def _http_routes(registry: Registry) -> list[dict]:
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


def _rules(registry: Registry) -> list[dict]:
    rules = []
    for function, route in sorted(
        registry.routes(), key=lambda pair: (pair[1].path, pair[1].method)
    ):
        pattern = "/api/v1" + re.sub(r"{\w+}", "[^/]+", route.path)
        rules.append(
            {
                "matches": [
                    {
                        "path": {"type": "RegularExpression", "value": pattern},
                        "method": route.method,
                    }
                ],
                "backendRefs": [
                    {
                        "group": "serving.knative.dev",
                        "kind": "Service",
                        "name": service_name(function),
                        "port": 80,
                    }
                ],
            }
        )
    web = {"group": "serving.knative.dev", "kind": "Service", "name": "ts-web", "port": 80}
    rules.append(
        {
            "matches": [
                {"path": {"type": "Exact", "value": "/"}, "method": "GET"},
                {"path": {"type": "PathPrefix", "value": "/assets/"}, "method": "GET"},
            ],
            "backendRefs": [web],
        }
    )
    return rules


def _eventing(functions: list[Function]) -> list[dict]:
    documents: list[dict] = [
        {
            "apiVersion": "eventing.knative.dev/v1",
            "kind": "Broker",
            "metadata": {"name": BROKER, "namespace": NAMESPACE},
        },
        {
            "apiVersion": "sources.knative.dev/v1beta1",
            "kind": "KafkaSource",
            "metadata": {"name": "townsquare-events", "namespace": NAMESPACE},
            "spec": {
                "consumerGroup": "townsquare-knative",
                "bootstrapServers": ["kafka:9092"],
                "topics": ["townsquare.events"],
                "sink": {
                    "ref": {
                        "apiVersion": "eventing.knative.dev/v1",
                        "kind": "Broker",
                        "name": BROKER,
                    }
                },
            },
        },
        {
            "apiVersion": "eventing.knative.dev/v1alpha1",
            "kind": "KafkaSink",
            "metadata": {"name": "townsquare-dead-letter", "namespace": NAMESPACE},
            "spec": {
                "topic": "townsquare.dead-letter",
                "bootstrapServers": ["kafka:9092"],
                "contentMode": "structured",
            },
        },
    ]
    for function in functions:
        sink = {
            "ref": {
                "apiVersion": "serving.knative.dev/v1",
                "kind": "Service",
                "name": service_name(function),
            }
        }
        for trigger in function.of_kind(EventTrigger):
            documents.append(
                {
                    "apiVersion": "eventing.knative.dev/v1",
                    "kind": "Trigger",
                    "metadata": {
                        "name": f"{service_name(function)}-{trigger.type.replace('.', '-')}",
                        "namespace": NAMESPACE,
                    },
                    "spec": {
                        "broker": BROKER,
                        "filter": {"attributes": {"type": trigger.type}},
                        "subscriber": sink,
                        "delivery": {
                            "retry": 5,
                            "backoffPolicy": "exponential",
                            "backoffDelay": "PT0.2S",
                            "deadLetterSink": {
                                "ref": {
                                    "apiVersion": "eventing.knative.dev/v1alpha1",
                                    "kind": "KafkaSink",
                                    "name": "townsquare-dead-letter",
                                }
                            },
                        },
                    },
                }
            )
        for index, schedule in enumerate(function.of_kind(Schedule)):
            documents.append(
                {
                    "apiVersion": "sources.knative.dev/v1",
                    "kind": "PingSource",
                    "metadata": {
                        "name": f"{service_name(function)}-cron-{index}",
                        "namespace": NAMESPACE,
                    },
                    "spec": {
                        "schedule": schedule.cron,
                        "contentType": "application/json",
                        "data": "{}",
                        "sink": sink,
                    },
                }
            )
    return documents


MQTT_SECRET = "townsquare-mqtt"


def _mqtt_bridge(functions: list[Function]) -> list[dict]:
    """One replica (Recreate): the broker binds the bridge's client id to its account, so a
    second pod would take the session from the first."""
    names = [f.name for f in functions if f.of_kind(MqttTrigger)]
    labels = {"app.kubernetes.io/part-of": "townsquare", "app.kubernetes.io/name": "ts-mqtt-bridge"}
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": MQTT_SECRET, "namespace": NAMESPACE},
        "type": "Opaque",
        # a placeholder: the operator sets url to mqtts://user:secret@broker:8883
        "stringData": {"url": ""},
    }
    container = {
        "name": "bridge",
        "image": IMAGE,
        "command": ["townsquare"],
        "args": ["mqtt", "bridge"],
        "envFrom": [{"configMapRef": {"name": "townsquare-backends"}}],
        "env": [
            {
                "name": "TOWNSQUARE_MQTT_URL",
                "valueFrom": {"secretKeyRef": {"name": MQTT_SECRET, "key": "url"}},
            }
        ],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "ts-mqtt-bridge",
            "namespace": NAMESPACE,
            "labels": labels,
            "annotations": {"townsquare/functions": ",".join(names)},
        },
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }
    return [secret, deployment]
