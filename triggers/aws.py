"""AWS Lambda entry point for template.yaml: one handler, the function named by
TOWNSQUARE_FUNCTION, the event translated as every other trigger does.

- API Gateway (REST, proxy integration) → the function's HTTP route, through the same
  code as functions-framework's target (triggers/http/main.py);
- a Kafka event source (MSK or self-managed) → each record decoded as a CloudEvent and
  handed to the function, rejects to the dead-letter topic, outages raised (retried).
"""

from __future__ import annotations

import base64
import functools
import os

from flask import Flask

from functions.registry import EventTrigger, load


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
