"""AWS Lambda entry point for template.yaml: one handler, the function named by
TOWNSQUARE_FUNCTION, the event translated as every other trigger does.

- API Gateway (REST, proxy integration) → the function's HTTP route, through the same
  code as functions-framework's target (triggers/http/main.py);
- a Kafka event source (MSK or self-managed) → each record decoded as a CloudEvent and
  handed to the function, rejects to the dead-letter topic, outages raised (retried);
- an AWS IoT topic rule (template.yaml's IoTRule events: the JSON payload with the topic
  added as `mqtt_topic`) → the same CloudEvent as the MQTT bridge's, rejects to the
  dead-letter topic (bearer tokens masked), outages raised (Lambda retries them).
"""

from __future__ import annotations

import base64
import functools
import json
import os

from flask import Flask

from functions.registry import EventTrigger, load
from triggers.deploy.sam import MQTT_TOPIC


@functools.cache
def _target():
    import triggers.http.main as targets

    return getattr(targets, os.environ["TOWNSQUARE_FUNCTION"])


@functools.cache
def _flask() -> Flask:
    return Flask("townsquare-lambda")


def handler(event: dict, context=None) -> dict:
    if "httpMethod" in event:
        return _http(event)
    if event.get("eventSource") in ("aws:kafka", "SelfManagedKafka"):
        return _kafka(event)
    if MQTT_TOPIC in event:
        return _mqtt(event)
    raise ValueError(f"unsupported Lambda event with keys {sorted(event)}")


def _http(event: dict) -> dict:
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    with _flask().test_request_context(
        event["path"],
        method=event["httpMethod"],
        headers=event.get("headers") or {},
        query_string=event.get("queryStringParameters") or {},
        data=data,
    ):
        response = _target()()
    return {
        "statusCode": response.status_code,
        "headers": dict(response.headers),
        "body": base64.b64encode(response.get_data()).decode(),
        "isBase64Encoded": True,
    }


def _kafka(event: dict) -> dict:
    from cloudevents.http import from_json

    function = load().get(os.environ["TOWNSQUARE_FUNCTION"])
    types = {t.type for t in function.of_kind(EventTrigger)}
    handled = 0
    for records in event.get("records", {}).values():
        for record in records:
            cloud_event = from_json(base64.b64decode(record["value"]))
            if cloud_event["type"] in types:
                _target()(cloud_event)
                handled += 1
    return {"handled": handled}


def _mqtt(event: dict) -> dict:
    """An IoT rule's event: the JSON payload, with the topic added by the rule's SQL."""
    from shared.errors import Invalid
    from triggers.http.main import _context
    from triggers.invoke import publish_dead_letter, run_on_event
    from triggers.mqtt.bridge import mqtt_event

    payload = dict(event)
    topic = payload.pop(MQTT_TOPIC)
    raw = json.dumps(payload).encode()
    function = load().get(os.environ["TOWNSQUARE_FUNCTION"])
    ctx = _context()
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
