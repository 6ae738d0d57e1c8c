"""The live counters and the anomaly detector (functions/anomalies), on the live store
the test runs on, with a clock the test sets; and GET /insights/anomalies."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from functions.anomalies.counters import watch_traffic
from functions.anomalies.detector import FAMILIES, WARMUP, judge, observe
from functions.registry import load
from shared.context import Context
from shared.events import encode, make_event
from shared.livestats import KEEP_COUNTS, minute_of
from shared.ports.bus import DEAD_LETTER, EVENTS
from shared.records import iso
from tests.buslog import BusLog
from tests.functions.helpers import error
from triggers.mqtt.bridge import MqttBridge


class Clock:
    """A second of the test's own, a few days back: on a shared live store the series of
    that minute and the flags raised at that second are this test's alone; flags stay
    younger than the timeline keeps them, and older than what other tests ask for."""

    def __init__(self) -> None:
        back = timedelta(days=1, seconds=random.randint(0, 4 * 24 * 3600))
        self.start = self.now = (datetime.now(UTC) - back).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def flags(self, services) -> list[dict]:
        """The flags raised at this clock's times (not another test's)."""
        items = services.live.timeline(
            "anomalies", since=self.start - timedelta(seconds=1), limit=1000
        )
        mine = {iso(self.start + timedelta(minutes=m)) for m in range(5)}
        return [flag for flag in items if flag["at"] in mine]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(services, clock) -> Context:
    return Context(services=services, clock=clock)


def entity() -> str:
    return str(uuid.uuid4())


def test_judge_uses_the_baseline_median_and_spread():
    quiet = judge([2, 3, 3, 4, 2, 3, 5, 3], 40, floor=10)
    assert quiet.anomalous and quiet.score > 10
    assert quiet.expected[0] == 0 and 9 <= quiet.expected[1] < 15
    busy = judge([30, 45, 38, 50, 41, 36, 44, 39], 40, floor=10)
    assert not busy.anomalous
    assert judge([], 9, floor=10).expected == (0.0, 9.0)  # cold start: the floor decides


def test_a_cold_start_flags_only_past_the_floor_and_once_a_minute(ctx):
    account = entity()
    floor = FAMILIES["logins.failed.account"].floor
    assert [observe(ctx, "logins.failed.account", account) for _ in range(floor - 1)] == [None] * (
        floor - 1
    )
    flag = observe(ctx, "logins.failed.account", account)
    assert flag is not None
    assert flag["series"] == f"logins.failed.account:{account}"
    assert flag["value"] == floor and flag["expected"] == [0.0, floor - 1.0]
    assert flag["score"] > 4 and flag["at"] == iso(ctx.clock())
    assert observe(ctx, "logins.failed.account", account) is None  # already flagged


def test_complete_minutes_teach_the_baseline_but_flagged_ones_do_not(ctx, clock, services):
    calm, loud = entity(), entity()
    for _ in range(4):
        observe(ctx, "messages.account", calm)
    for _ in range(FAMILIES["messages.account"].floor):
        observe(ctx, "messages.account", loud)
    clock.now += timedelta(minutes=1)
    observe(ctx, "messages.account", calm)
    observe(ctx, "messages.account", loud)
    assert services.live.samples("baseline:messages.account")[:1] == [4.0]  # not loud's 30


def test_an_overall_series_is_judged_only_after_its_warm_up(ctx, clock, services):
    minute = minute_of(clock.now)
    for back in range(1, WARMUP):  # one active minute short of the warm-up
        services.live.count("posts", minute - back, 8, keep=KEEP_COUNTS)
    assert observe(ctx, "posts", by=500) is None
    clock.now += timedelta(minutes=1)
    services.live.count("posts", minute - WARMUP, 8, keep=KEEP_COUNTS)
    flag = observe(ctx, "posts", by=500)
    assert flag is not None and flag["series"] == "posts" and flag["value"] == 500


def test_the_minute_tick_flags_a_traffic_surge(ctx, clock, services):
    minute = minute_of(clock.now)
    for back in range(1, 31):
        services.live.count("http.requests", minute - back, 100 + back % 7, keep=KEEP_COUNTS)
    watch_traffic(make_event("townsquare.cron.tick", "t", {}), ctx)
    assert clock.flags(services) == []
    services.live.count("http.requests", minute, 5000, keep=KEEP_COUNTS)
    watch_traffic(make_event("townsquare.cron.tick", "t", {}), ctx)
    [flag] = clock.flags(services)
    assert flag["series"] == "http.requests" and flag["value"] == 5000
    assert flag["about"] == "a traffic surge" and flag["expected"][1] < 5000


def test_garbage_events_are_counted_and_dead_lettered_and_counting_goes_on(api, services, events):
    dead = BusLog(services, DEAD_LETTER)
    garbage = [
        make_event("message.created", "x", {"sender_uuid": "robert'); drop table"}),
        make_event("user.login_failed", "x", {"account": {"nested": 1}}),
        make_event("device.logged", "x", {"level": "error"}),
    ]
    for event in garbage:
        services.bus.publish_raw(encode(event), key="x", topic=EVENTS)
    now = minute_of(datetime.now(UTC))
    garbage_before = sum(services.live.counts("events.garbage", now - 1, now + 1))
    sender = entity()
    good = make_event("message.created", sender, {"sender_uuid": sender, "to_group": None})
    services.bus.publish_raw(encode(good), key=sender, topic=EVENTS)
    api.settle()
    reasons = [e.data["reason"] for e in dead.events("townsquare.dead_letter")]
    assert any("sender_uuid" in r for r in reasons), reasons
    assert any("account" in r for r in reasons), reasons
    assert any("device_id" in r for r in reasons), reasons
    garbage = sum(services.live.counts("events.garbage", now - 1, now + 1))
    assert garbage - garbage_before == 3
    assert sum(services.live.counts(f"messages.account:{sender}", now - 1, now + 1)) == 1
    dead.close()


def test_wrong_passwords_are_flagged_and_served_to_operators_only(api, bus_log):
    since = {"since": iso(datetime.now(UTC) - timedelta(seconds=1))}
    ada, operator = api.person("Ada"), api.operator("Ops")
    wrong = {"email": ada.user["email"], "password": "not the password"}
    answers = [api.post("/auth/login", json=wrong).status_code for _ in range(12)]
    refused = api.client.application.extensions["townsquare"].settings.login_attempts_per_account
    assert answers == [401] * (refused - 1) + [429] * (13 - refused)  # ada's own login was one
    api.settle()
    flags = api.get("/insights/anomalies", who=operator, query_string=since).get_json()["items"]
    mine = [f for f in flags if ada.uuid in f["series"]]
    assert [f["series"] for f in mine] == [f"logins.failed.account:{ada.uuid}"]
    assert mine[0]["value"] == FAMILIES["logins.failed.account"].floor
    later = {"since": mine[0]["at"]}
    after = api.get("/insights/anomalies", who=operator, query_string=later).get_json()["items"]
    assert [f for f in after if ada.uuid in f["series"]] == []
    error(api.get("/insights/anomalies", who=ada), 403)
    announced = bus_log.events("user.login_failed", ada.uuid)
    assert len(announced) == refused - 1 and announced[0].data == {"account": ada.uuid}


def test_a_device_whose_errors_jump_is_flagged_and_its_info_lines_are_not(api, services):
    since = {"since": iso(datetime.now(UTC) - timedelta(seconds=1))}
    operator, device = api.operator(), f"pump-{uuid.uuid4().hex[:8]}"
    bridge = MqttBridge(services, load(), "mqtt://127.0.0.1:1")  # never connects: deliver only
    topic = f"townsquare/devices/{device}/logs"
    for level in ["info"] * 50 + ["error"] * FAMILIES["device.errors"].floor:
        bridge.deliver(topic, json.dumps({"level": level, "message": "pressure"}).encode())
    api.settle()
    flags = api.get("/insights/anomalies", who=operator, query_string=since).get_json()["items"]
    assert [(f["series"], f["value"]) for f in flags if device in f["series"]] == [
        (f"device.errors:{device}", FAMILIES["device.errors"].floor)
    ]


def test_a_failed_login_names_an_unknown_email_only_by_its_hash(api, bus_log):
    email = f"nobody.{uuid.uuid4().hex[:6]}@example.org"
    assert api.post("/auth/login", json={"email": email, "password": "guess"}).status_code == 401
    account = "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]
    [event] = bus_log.events("user.login_failed", account)
    assert event.data == {"account": account}
    assert email not in encode(event).decode() and "guess" not in encode(event).decode()


def test_anomalies_is_its_own_route_beside_insight_names(api):
    operator = api.operator()
    answer = api.get("/insights/anomalies", who=operator)
    assert answer.status_code == 200 and isinstance(answer.get_json()["items"], list)
    error(api.get("/insights/no_such_insight", who=operator), 404, "name")
    error(api.get("/insights/anomalies?since=yesterday", who=operator), 400, "since")
