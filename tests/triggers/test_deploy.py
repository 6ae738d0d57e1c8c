"""knative/ and template.yaml are rendered from the registry and committed; they must be
exactly what the registry renders now, and name every trigger of every function."""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import yaml

from functions.registry import EventTrigger, MqttTrigger, Route, load
from triggers.cron import kind as cron_kind
from triggers.deploy import knative, rendered, sam
from triggers.mqtt import kind as mqtt_kind

ROOT = Path(__file__).parents[2]
MAIN = ROOT / "triggers" / "http" / "main.py"


def test_committed_descriptors_are_what_the_registry_renders():
    stale = [
        str(path.relative_to(ROOT))
        for path, text in rendered(ROOT).items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], f"run `townsquare render` and commit: {stale}"


def test_every_route_and_subscription_is_deployed():
    registry = load()
    routes = list(yaml.safe_load_all((ROOT / "knative" / "routes.yaml").read_text()))
    rules = [rule for route in routes for rule in route["spec"]["rules"]]
    backends = {(rule["matches"][0]["method"], rule["backendRefs"][0]["name"]) for rule in rules}
    served_by_routes = {ref["name"] for rule in rules for ref in rule["backendRefs"]}
    template = yaml.safe_load((ROOT / "template.yaml").read_text())["Resources"]
    eventing = list(yaml.safe_load_all((ROOT / "knative" / "eventing.yaml").read_text()))
    triggers = {
        (d["spec"]["filter"]["attributes"]["type"], d["spec"]["subscriber"]["ref"]["name"])
        for d in eventing
        if d["kind"] == "Trigger"
    }
    for function in registry.functions.values():
        for route in function.of_kind(Route):
            assert (route.method, knative.service_name(function)) in backends
            api_events = template[sam.logical_id(function)]["Properties"]["Events"].values()
            assert {"Path": "/api/v1" + route.path, "Method": route.method.lower()} in [
                e["Properties"] for e in api_events if e["Type"] == "Api"
            ]
        for trigger in function.of_kind(EventTrigger):
            assert (trigger.type, knative.service_name(function)) in triggers
    services = yaml.safe_load_all((ROOT / "knative" / "services.yaml").read_text())
    served = {document["metadata"]["name"] for document in services}
    sinks = {d["spec"]["sink"]["ref"]["name"] for d in eventing if d["kind"] == "PingSource"}
    assert sinks and sinks <= served  # every schedule ticks a service that exists
    assert served_by_routes <= served  # every route sends to a service that exists


def test_every_mqtt_function_is_deployed_on_both_targets():
    registry = load()
    mqtt = [f for f in registry.functions.values() if f.of_kind(MqttTrigger)]
    assert len(mqtt) >= 3  # the chat's two topics and the devices' logs
    secret, bridge = yaml.safe_load_all((ROOT / "knative" / "mqtt.yaml").read_text())
    assert bridge["kind"] == "Deployment" and bridge["spec"]["replicas"] == 1
    deployed = bridge["metadata"]["annotations"]["townsquare/functions"].split(",")
    assert sorted(deployed) == sorted(f.name for f in mqtt)
    container = bridge["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] + container["args"] == ["townsquare", "mqtt", "bridge"]
    [url] = [e for e in container["env"] if e["name"] == "TOWNSQUARE_MQTT_URL"]
    ref = url["valueFrom"]["secretKeyRef"]
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == ref["name"]
    assert secret["stringData"] == {ref["key"]: ""}  # a placeholder, never a credential
    template = yaml.safe_load((ROOT / "template.yaml").read_text())["Resources"]
    for function in mqtt:
        events = template[sam.logical_id(function)]["Properties"]["Events"].values()
        rules = [e["Properties"]["Sql"] for e in events if e["Type"] == "IoTRule"]
        assert rules == [mqtt_kind.iot_sql(t.topic) for t in function.of_kind(MqttTrigger)]


def test_every_httproute_keeps_to_the_gateway_apis_limits():
    routes = list(yaml.safe_load_all((ROOT / "knative" / "routes.yaml").read_text()))
    assert len(routes) > 1  # the registry's routes need more than one
    names = [route["metadata"]["name"] for route in routes]
    assert len(set(names)) == len(names)
    for route in routes:
        assert route["kind"] == "HTTPRoute"
        assert 1 <= len(route["spec"]["rules"]) <= 16  # the CRD's maxItems
        for rule in route["spec"]["rules"]:
            assert 1 <= len(rule["matches"]) <= 8 and len(rule["backendRefs"]) <= 16


def test_every_knative_service_runs_a_target_that_exists():
    spec = importlib.util.spec_from_file_location("townsquare_targets", MAIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    services = list(yaml.safe_load_all((ROOT / "knative" / "services.yaml").read_text()))
    containers = [s["spec"]["template"]["spec"]["containers"][0] for s in services]
    targets = [env_of(c)["FUNCTION_TARGET"] for c in containers if "command" not in c]
    for target in targets:
        assert callable(getattr(module, target, None)), f"{target} is not in triggers/http/main.py"
    assert {"watch_traffic", "sweep_unarchived", "web_app", "health"} <= set(targets)
    [stream] = [c for c in containers if c.get("command") == ["townsquare"]]  # WebSocket gateway
    assert stream["args"][:1] == ["serve"] and "--no-triggers" in stream["args"]


def test_the_websocket_gateway_is_deployed_for_long_lived_sockets():
    services = yaml.safe_load_all((ROOT / "knative" / "services.yaml").read_text())
    [stream] = [s for s in services if s["metadata"]["name"] == "ts-stream"]
    template = stream["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert int(annotations["autoscaling.knative.dev/min-scale"]) >= 1  # never scaled to zero
    assert annotations["autoscaling.knative.dev/target-burst-capacity"] == "0"  # no activator
    # each open socket is a request in flight: a pod per few sockets would be absurd
    assert int(annotations["autoscaling.knative.dev/target"]) >= 1000
    assert template["spec"]["timeoutSeconds"] == 600  # Knative's default maximum
    routes = yaml.safe_load_all((ROOT / "knative" / "routes.yaml").read_text())
    [rule] = [
        rule
        for route in routes
        for rule in route["spec"]["rules"]
        if rule["matches"][0]["path"]["value"] == "/api/v1/stream"
    ]
    assert [ref["name"] for ref in rule["backendRefs"]] == ["ts-stream"]
    assert rule["timeouts"] == {"request": "0s"}  # the route does not end a socket


def env_of(container: dict) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def test_aws_cron_translation():
    assert cron_kind.aws_cron("*/5 * * * *") == "cron(*/5 * * * ? *)"
    assert cron_kind.aws_cron("0 3 * * 1") == "cron(0 3 ? * 2 *)"


def test_lambda_handler_serves_an_api_gateway_event(tmp_path, monkeypatch):
    """No Lambda runtime can run here: this feeds the handler the API Gateway proxy event
    shape (a documented JSON format) and checks the answer shape Lambda expects."""
    from triggers import aws
    from triggers.kinds import deployed_context

    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOWNSQUARE_FUNCTION", "signup")
    deployed_context.cache_clear()
    body = json.dumps({"email": "lambda@example.org", "name": "Lam", "password": "long enough pw"})
    event = {
        "httpMethod": "POST",
        "path": "/api/v1/auth/signup",
        "headers": {"Content-Type": "application/json"},
        "queryStringParameters": None,
        "body": body,
        "isBase64Encoded": False,
    }
    answer = aws.handler(event)
    assert answer["statusCode"] == 201
    assert json.loads(base64.b64decode(answer["body"]))["user"]["email"] == "lambda@example.org"
    deployed_context.cache_clear()


def test_lambda_handler_runs_an_iot_rule_event(tmp_path, monkeypatch):
    """No AWS IoT runs here: this feeds the handler what template.yaml's topic rule delivers
    (the JSON payload, plus the topic its SQL adds) and reads the stored log back."""
    from shared.context import bootstrap
    from shared.ports.bus import DEAD_LETTER
    from shared.settings import Settings
    from tests.buslog import BusLog
    from triggers import aws
    from triggers.http import main

    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOWNSQUARE_FUNCTION", "device_log")
    main._context.cache_clear()
    services = bootstrap(Settings())
    letters = BusLog(services, DEAD_LETTER)
    topic = "townsquare/devices/d-1/logs"
    event = {"level": "warning", "message": "fan slow", mqtt_kind.MQTT_TOPIC: topic}
    assert aws.handler(event) == {"handled": 1}
    [stored] = services.content.device_logs("d-1", since=None, limit=10)
    assert stored["message"] == "fan slow"
    rejected = {"level": "warning", mqtt_kind.MQTT_TOPIC: topic, "token": "secret-t0k"}
    assert aws.handler(rejected) == {"handled": 0}  # no message: dead-lettered, not raised
    [letter] = letters.events("townsquare.dead_letter", topic)
    assert "message" in letter.data["reason"]
    kept = json.loads(base64.b64decode(letter.data["original_base64"]))
    assert kept["token"] == "***" and kept["level"] == "warning"
    main._context.cache_clear()


def test_template_passes_cfn_lint():
    """cfn-lint expands the SAM transform first, so the IoT topic rules, their Lambda
    permissions and the Kafka event source mappings are checked as CloudFormation."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run(
        [str(cfn_lint), str(ROOT / "template.yaml")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_lambda_handler_runs_a_scheduled_event(tmp_path, monkeypatch):
    """No EventBridge runs here: this feeds the handler its documented "Scheduled Event"
    shape (template.yaml's Schedule events) and reads the sweep's work back."""
    from datetime import UTC, datetime, timedelta

    from shared.records import Message
    from triggers import aws
    from triggers.kinds import deployed_context

    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOWNSQUARE_FUNCTION", "sweep_unarchived")
    deployed_context.cache_clear()
    ctx = deployed_context()
    now = datetime.now(UTC)
    missed = Message(
        uuid="0b8f4c1e-9a5d-4d0c-8f7e-2b1a3c4d5e6f",
        sender_uuid="1c8f4c1e-9a5d-4d0c-8f7e-2b1a3c4d5e6f",
        to_user="2d8f4c1e-9a5d-4d0c-8f7e-2b1a3c4d5e6f",
        to_group=None,
        text="swept",
        created_at=now - timedelta(minutes=2),
    )
    ctx.live.put_message(missed, 3600)
    event = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/sweep"],
        "detail": {},
    }
    assert aws.handler(event) == {"handled": 1}
    assert ctx.content.get_archived_message(missed.uuid).text == "swept"
    assert aws.handler(event) == {"handled": 0}  # the same tick runs once
    deployed_context.cache_clear()
