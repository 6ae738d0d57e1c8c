"""AWS Lambda entry point for template.yaml: one handler, the function named by
TOWNSQUARE_FUNCTION, the event translated by the trigger kind whose shape it has
(triggers/<kind>/kind.py, `lambda_entry()`):

- API Gateway (REST, proxy integration) → the function's HTTP route, through the same
  code as functions-framework's target (triggers/http/main.py);
- a Kafka event source (MSK or self-managed) → each record decoded as a CloudEvent and
  handed to the function, rejects to the dead-letter topic, outages raised (retried);
- an EventBridge schedule → the tick of its scheduled minute;
- an AWS IoT topic rule (the JSON payload with the topic added as `mqtt_topic`) → the
  same CloudEvent as the MQTT bridge's, rejects to the dead-letter topic (bearer tokens
  masked), outages raised (Lambda retries them).
"""

from __future__ import annotations

import os

from functions.registry import load


def handler(event: dict, context=None) -> dict:
    target = os.environ["TOWNSQUARE_FUNCTION"]
    for kind in load().kinds:
        answer = kind.lambda_entry(event, target)
        if answer is not None:
            return answer
    raise ValueError(f"unsupported Lambda event with keys {sorted(event)}")
