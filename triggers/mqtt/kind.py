"""The MQTT trigger kind: `@app.on_mqtt(topic filter)` functions.

- in `townsquare dev`: the bridge (triggers/mqtt/bridge.py) on the emulator's broker;
- deployed: no functions-framework target; `townsquare mqtt bridge` runs every MQTT
  function in one process (a Deployment of one pod: it holds the broker's persistent
  session), its broker URL from the Secret `townsquare-mqtt`, an empty placeholder the
  operator fills;
- SAM: an IoTRule event per topic filter (an AWS IoT topic rule and its Lambda permission;
  the rule adds the topic to the JSON payload as `mqtt_topic`); Lambda: that payload run
  as the bridge runs a message, rejects dead-lettered with tokens masked.
"""

from __future__ import annotations

import json

from functions.registry import Function, MqttTrigger, Registry
from triggers.deploy.knative import IMAGE, NAMESPACE

MQTT_SECRET = "townsquare-mqtt"
MQTT_TOPIC = "mqtt_topic"  # the field an IoT rule adds to the payload: the message's topic


class MqttKind:
    name = "mqtt"
    record = MqttTrigger
    order = 40
    signature = None

    def start(self, runtime):
        from triggers.mqtt.bridge import MqttBridge

        if not runtime.registry.by_kind(MqttTrigger):
            return lambda: None  # nothing to subscribe to (a broker refuses an empty list)
        runtime.mqtt = MqttBridge(runtime.services, runtime.registry, runtime.mqtt_url)
        runtime.mqtt.start()
        return runtime.mqtt.stop

    def target(self, function: Function):
        return None

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        return {"mqtt.yaml": _bridge(functions)}

    def sam_events(self, function: Function) -> dict[str, dict]:
        return {
            f"Mqtt{index}": {
                "Type": "IoTRule",
                "Properties": {"Sql": iot_sql(trigger.topic), "AwsIotSqlVersion": "2016-03-23"},
            }
            for index, trigger in enumerate(function.of_kind(MqttTrigger))
        }

    def lambda_entry(self, event: dict, target: str) -> dict | None:
        return lambda_iot_rule(event, target) if MQTT_TOPIC in event else None


KIND = MqttKind()


def iot_sql(topic_filter: str) -> str:
    """An IoT rule's SQL for an MQTT topic filter (AWS IoT takes the same + and # wildcards)."""
    return f"SELECT *, topic() AS {MQTT_TOPIC} FROM '{topic_filter}'"


def lambda_iot_rule(event: dict, target: str) -> dict:
    """An IoT rule's event: the JSON payload, with the topic added by the rule's SQL."""
    from functions.registry import load
    from shared.errors import Invalid
    from triggers.invoke import publish_dead_letter, run_on_event
    from triggers.kinds import deployed_context
    from triggers.mqtt.bridge import mqtt_event

    payload = dict(event)
    topic = payload.pop(MQTT_TOPIC)
    raw = json.dumps(payload).encode()
    function = load().get(target)
    ctx = deployed_context()
    source = f"mqtt/{topic}"
    try:
        cloud_event = mqtt_event(topic, raw)
    except Invalid as exc:
        publish_dead_letter(ctx.services, reason=exc.message, source=source, raw=raw, key=topic)
        return {"handled": 0}
    # an outage outlasting the retries is raised: Lambda retries the IoT rule's invocation
    handled = run_on_event(
        ctx, function, cloud_event, trigger="mqtt", source=source, raw=raw, key=topic
    )
    return {"handled": int(handled)}


def _bridge(functions: list[Function]) -> list[dict]:
    """One replica (Recreate): the broker binds the bridge's client id to its account, so a
    second pod would take the session from the first."""
    names = [f.name for f in functions]
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
