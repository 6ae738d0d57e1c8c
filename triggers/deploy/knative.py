"""Knative manifests from the registry: what every kind shares; each trigger kind adds its
own objects (triggers/<kind>/kind.py, `knative()`), in the kinds' order.

config.yaml    the ConfigMap of backend URLs every service reads (TOWNSQUARE_*).
services.yaml  one Knative Service per function its kinds deploy as one (scale to zero),
               running the image's functions-framework on triggers/http/main.py, its
               function chosen by environment: an http target if one of its kinds serves
               HTTP, else a cloudevent target. The HTTP kind adds
               `ts-web` (the web app) and `ts-stream` (the WebSocket gateway).
routes.yaml    (HTTP kind) Gateway API HTTPRoutes, 16 rules at most each.
eventing.yaml  (event kind) the Broker, its KafkaSource and dead-letter KafkaSink, one
               Trigger per subscription; (cron kind) a PingSource per schedule.
mqtt.yaml      (MQTT kind) the bridge's Deployment and its Secret.
"""

from __future__ import annotations

from functions.registry import Function, Registry
from shared.settings import PORTS
from triggers.kinds import functions_of, signature_of

IMAGE = "ghcr.io/townsquare/townsquare:0.1.0"
NAMESPACE = "townsquare"
# every function's autoscaling (Knative Pod Autoscaler): scale to zero, at most MAX_SCALE pods
# requests in flight per pod before Knative adds one: a send or a feed read keeps a pod
# busy for about 10 ms of CPU, so ~6 are in flight at its ~100 req/s (docs/deploy.md)
MIN_SCALE, MAX_SCALE, TARGET_CONCURRENCY = 0, 20, 8


def service_name(function: Function) -> str:
    return "ts-" + function.short_name.replace("_", "-")


def service_ref(function: Function) -> dict:
    """A sink or subscriber reference to `function`'s Knative Service."""
    return {
        "ref": {
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Service",
            "name": service_name(function),
        }
    }


def render(registry: Registry) -> dict[str, list[dict]]:
    functions = sorted(registry.functions.values(), key=lambda f: f.short_name)
    files = {
        "config.yaml": [_config()],
        "services.yaml": [
            knative_service(service_name(f), f.short_name, f.name, signature)
            for f in functions
            if (signature := signature_of(registry, f))
        ],
    }
    for kind in registry.kinds:
        for name, documents in kind.knative(registry, functions_of(registry, kind)).items():
            files.setdefault(name, []).extend(documents)
    return files


def _config() -> dict:
    data = {f"TOWNSQUARE_{port.upper()}_URL": "" for port in PORTS}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "townsquare-backends", "namespace": NAMESPACE},
        "data": data,
    }


# The image (Dockerfile) runs `functions-framework` with FUNCTION_SOURCE set to the
# container entry; each Service picks its function by environment, as functions-framework
# reads it (its --target and --signature-type options' variables).
SOURCE = "triggers/http/main.py"


def function_env(target: str, signature: str) -> list[dict]:
    """The environment choosing `target` in the image's functions-framework command."""
    return [
        {"name": "FUNCTION_TARGET", "value": target},
        {"name": "FUNCTION_SIGNATURE_TYPE", "value": signature},
    ]


def knative_service(
    name: str,
    target: str,
    label: str,
    signature: str,
    *,
    min_scale: int = MIN_SCALE,
    annotations: dict[str, str] | None = None,
    timeout_seconds: int | None = None,
    command: list[str] | None = None,
    args: list[str] | None = None,
) -> dict:
    """A Knative Service running `target` under the image's functions-framework command
    (or `command` with `args`)."""
    if command:
        chosen: dict = {"command": command, "args": args or []}
    else:
        chosen = {"env": function_env(target, signature)}
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
                        "autoscaling.knative.dev/min-scale": str(min_scale),
                        "autoscaling.knative.dev/max-scale": str(MAX_SCALE),
                        "autoscaling.knative.dev/target": str(TARGET_CONCURRENCY),
                    }
                    | (annotations or {})
                },
                "spec": {
                    **({"timeoutSeconds": timeout_seconds} if timeout_seconds else {}),
                    "containers": [
                        {
                            "name": "function",
                            "image": IMAGE,
                            **chosen,
                            "ports": [{"containerPort": 8080}],
                            "envFrom": [{"configMapRef": {"name": "townsquare-backends"}}],
                        }
                    ],
                },
            }
        },
    }
