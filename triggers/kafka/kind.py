"""The event trigger kind: `@app.on_event(type)` functions, over townsquare.events.

- in `townsquare dev`: the dispatcher (triggers/kafka/dispatcher.py), one consumer group
  per function, in a thread of the emulator;
- deployed: a functions-framework CloudEvent target per function, run by
  triggers/invoke.py: what it rejects is dead-lettered, an outage outlasting the retries
  raises, so the Broker retries the delivery;
- Knative: the Broker, a KafkaSource feeding it townsquare.events, the dead-letter
  KafkaSink, one Trigger per subscription (filtered on the CloudEvent type);
- SAM: a self-managed Kafka event source per function, filtered on its types; Lambda: each
  record decoded as a CloudEvent and run as above.
"""

from __future__ import annotations

import base64
import json

from functions.registry import EventTrigger, Function, Registry
from triggers.deploy.knative import NAMESPACE, service_name, service_ref

BROKER = "townsquare"
DEAD_LETTER_SINK = {
    "ref": {
        "apiVersion": "eventing.knative.dev/v1alpha1",
        "kind": "KafkaSink",
        "name": "townsquare-dead-letter",
    }
}


class EventKind:
    name = "event"
    record = EventTrigger
    order = 20
    signature = "cloudevent"

    def start(self, runtime):
        runtime._thread("events", lambda: runtime.dispatcher.run_forever(runtime.stop))
        return lambda: None  # the emulator's stop event ends the loop

    def target(self, function: Function):
        return event_target(function)

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        documents = _eventing_base()
        for function in functions:
            for trigger in function.of_kind(EventTrigger):
                documents.append(_trigger(function, trigger))
        return {"eventing.yaml": documents}

    def sam_events(self, function: Function) -> dict[str, dict]:
        types = [t.type for t in function.of_kind(EventTrigger)]
        return {
            "Events": {
                "Type": "SelfManagedKafka",
                "Properties": {
                    "KafkaBootstrapServers": [{"Ref": "KafkaBootstrapServers"}],
                    "Topics": ["townsquare.events"],
                    "ConsumerGroupId": f"townsquare.fn.{function.name}",
                    "StartingPosition": "TRIM_HORIZON",
                    "FilterCriteria": {
                        "Filters": [
                            {"Pattern": json.dumps({"value": {"type": [t]}})} for t in types
                        ]
                    },
                },
            }
        }

    def lambda_entry(self, event: dict, target: str) -> dict | None:
        if event.get("eventSource") not in ("aws:kafka", "SelfManagedKafka"):
            return None
        from cloudevents.http import from_json

        from functions.registry import load

        function = load().get(target)
        types = {t.type for t in function.of_kind(EventTrigger)}
        run = event_target(function)
        handled = 0
        for records in event.get("records", {}).values():
            for record in records:
                cloud_event = from_json(base64.b64decode(record["value"]))
                if cloud_event["type"] in types:
                    run(cloud_event)
                    handled += 1
        return {"handled": handled}


KIND = EventKind()


def event_target(function: Function):
    """A CloudEvent function, run as every trigger kind runs one (triggers/invoke.py):
    what it rejects goes to the dead-letter topic, and an outage that outlasts the
    retries raises, so the delivery is retried."""
    from triggers.invoke import run_on_event
    from triggers.kinds import deployed_context

    def target(cloud_event) -> None:
        run_on_event(
            deployed_context(),
            function,
            cloud_event,
            trigger="event",
            source=f"knative/{function.name}",
            key=cloud_event.get("subject"),
        )

    target.__name__ = function.short_name
    return target


def _eventing_base() -> list[dict]:
    broker = {"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "name": BROKER}
    return [
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
                "sink": {"ref": broker},
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


def _trigger(function: Function, trigger: EventTrigger) -> dict:
    return {
        "apiVersion": "eventing.knative.dev/v1",
        "kind": "Trigger",
        "metadata": {
            "name": f"{service_name(function)}-{trigger.type.replace('.', '-')}",
            "namespace": NAMESPACE,
        },
        "spec": {
            "broker": BROKER,
            "filter": {"attributes": {"type": trigger.type}},
            "subscriber": service_ref(function),
            "delivery": {
                "retry": 5,
                "backoffPolicy": "exponential",
                "backoffDelay": "PT0.2S",
                "deadLetterSink": DEAD_LETTER_SINK,
            },
        },
    }
