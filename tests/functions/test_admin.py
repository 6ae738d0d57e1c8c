"""The operators' service group: GET /admin/services and /metrics (every trigger kind),
and app_service_groups_master filled from the registry."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from functions.registry import load
from shared.context import Context, Services
from shared.errors import Unavailable
from shared.settings import Settings
from tests.functions.helpers import error
from triggers.cli import main
from triggers.cron.scheduler import run_tick
from triggers.deploy import knative
from triggers.deploy.services import register_services
from triggers.metrics import instrumented
from triggers.mqtt.bridge import MqttBridge


def samples(api, name: str) -> list:
    """The samples of metric family `name`, parsed by prometheus_client's own parser."""
    response = api.get("/metrics")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    return families[name].samples


def test_the_service_groups_are_filled_from_the_registry(services):
    registry = load()
    assert register_services(services.accounts, registry, pods=1) == len(registry.functions)
    pods = services.accounts.app_pods_count()
    register_services(services.accounts, registry, pods=1)  # again: an upsert, not a copy
    assert services.accounts.app_pods_count() == pods >= len(registry.functions)
    rows = {s.name: s for s in services.accounts.services()}
    assert set(registry.functions) <= set(rows)
    login = rows["auth.login"]
    assert (login.image_id, login.min_scale, login.max_scale, login.pods_count) == (
        knative.IMAGE,
        knative.MIN_SCALE,
        knative.MAX_SCALE,
        1,
    )
    assert rows["devices.device_log"].max_scale is None  # an MQTT function: no Knative service


def services_view(api, operator) -> dict[str, dict]:
    response = api.get("/admin/services", who=operator)
    assert response.status_code == 200, response.get_json()
    return {item["function"]: item for item in response.get_json()["items"]}


def faults(item: dict) -> int:
    return round(item["error_rate"] * item["invocations"])


def test_admin_services_reports_load_errors_latency_and_scale(api, services):
    register_services(services.accounts, load(), pods=1)
    operator, ada = api.operator(), api.person("Ada")
    before = services_view(api, operator)  # a shared live store may hold other calls' counts
    error(api.post("/auth/login", json={"email": ada.user["email"], "password": "nope"}), 401)
    with pytest.raises(Unavailable), instrumented(services, "feed.read_feed", "http"):
        raise Unavailable("the search store is down")
    items = services_view(api, operator)
    assert set(items) == set(load().functions)
    login, feed = items["auth.login"], items["feed.read_feed"]
    assert login["triggers"] == ["http POST /api/v1/auth/login"]
    assert login["invocations"] - before["auth.login"]["invocations"] == 1
    assert faults(login) == faults(before["auth.login"])  # a 401 is the caller's, no fault
    assert 0 < login["p50_ms"] <= login["p99_ms"]
    assert login["scale"] == {"min": 0, "max": 20, "pods": 1, "image": knative.IMAGE}
    assert faults(feed) - faults(before["feed.read_feed"]) == 1
    for item in items.values():
        rate, calls = item["error_rate"], item["invocations"]
        health = (
            "idle"
            if not calls
            else "failing"
            if rate >= 0.5
            else "degraded"
            if rate >= 0.05
            else "ok"
        )
        assert item["health"] == health, item
    if before["feed.read_feed"]["invocations"] == 0:  # a fresh store: its one call failed
        assert feed["health"] == "failing"
    error(api.get("/admin/services", who=ada), 403)


def test_metrics_cover_every_trigger_kind_and_parse(api, services):
    api.person("Ada")  # http
    api.settle()  # event: user.signed_up and friends
    bridge = MqttBridge(services, load(), "mqtt://127.0.0.1:1")  # never connects: deliver only
    log = {"level": "error", "message": "disk full"}
    bridge.deliver("townsquare/devices/pump-1/logs", json.dumps(log).encode())
    tick = load().get("watch_traffic")
    # a tick of this test's own: a shared live store's lock on this minute's tick may be taken
    when = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(
        minutes=uuid.uuid4().int % 10**6
    )
    assert run_tick(tick, Context(services=services), when)
    counted = {
        (s.labels["function"], s.labels["trigger"], s.labels["outcome"]): s.value
        for s in samples(api, "townsquare_invocations")
        if s.name == "townsquare_invocations_total"
    }
    assert counted[("auth.signup", "http", "ok")] >= 1
    assert counted[("devices.device_log", "mqtt", "ok")] >= 1
    assert counted[("anomalies.watch_traffic", "cron", "ok")] >= 1
    assert any(t == "event" for (_, t, _) in counted)
    buckets = [
        s
        for s in samples(api, "townsquare_invocation_duration_seconds")
        if s.name.endswith("_bucket") and s.labels["function"] == "auth.signup"
    ]
    assert buckets and buckets[-1].labels["le"] == "+Inf" and buckets[-1].value >= 1


def test_metrics_answer_loopback_or_the_scrape_token_only(api, services):
    remote = {"REMOTE_ADDR": "10.1.2.3"}
    error(api.get("/metrics", environ_base=remote), 403)
    services.settings.metrics_token = token = uuid.uuid4().hex
    try:
        error(api.get("/metrics"), 403)  # with a token set, loopback needs it too
        error(api.get("/metrics", headers={"Authorization": "Bearer wrong"}), 403)
        good = {"Authorization": f"Bearer {token}"}
        assert api.get("/metrics", headers=good, environ_base=remote).status_code == 200
    finally:
        services.settings.metrics_token = ""


def test_townsquare_admin_services_fills_the_service_group_of_a_deployment(tmp_path):
    assert main(["admin", "services", "--data", str(tmp_path)]) == 0
    services = Services(Settings(data_dir=tmp_path, _env_file=None))
    try:
        rows = services.accounts.services()
        assert {s.name for s in rows} == set(load().functions)
        assert {s.pods_count for s in rows} == {0}  # a deployment's pods are not known here
    finally:
        services.close()


def test_event_lag_shows_in_admin_services_and_metrics_until_the_functions_run(api, services):
    """Each event function's group lag (end offsets − committed) and the outbox depth."""
    operator = api.operator()
    api.settle()
    settled = services_view(api, operator)
    archive = "messages.archive_message"
    assert settled[archive]["lag"] == 0
    assert settled["auth.login"]["lag"] is None  # not an event function
    ada, bob = api.person("Ada"), api.person("Bob")
    api.settle()
    for n in range(3):
        api.post("/messages", ada, json={"to_user": bob.uuid, "text": f"hello {n}"})
    deadline = time.monotonic() + 30
    while services.bus.backlog() and time.monotonic() < deadline:  # Kafka: the relay's turn
        time.sleep(0.05)
    response = api.get("/admin/services", who=operator).get_json()
    lagging = {item["function"]: item["lag"] for item in response["items"]}
    assert lagging[archive] == 3
    assert response["outbox"] == 0
    gauge = {s.labels["function"]: s.value for s in samples(api, "townsquare_event_lag")}
    assert gauge[archive] == 3
    assert [s.value for s in samples(api, "townsquare_bus_outbox_depth")] == [0]
    api.settle()
    assert services_view(api, operator)[archive]["lag"] == 0
    assert {s.labels["function"]: s.value for s in samples(api, "townsquare_event_lag")}[
        archive
    ] == 0
