"""R8 (first half): Hypothesis on every parser of outside input. Whatever arrives, each one
answers its value or Invalid naming a field — never another exception — and what
Townsquare itself writes parses back to the same thing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.http import cursor_time
from functions.messages.history import Cursor
from shared.errors import Invalid
from shared.events import decode, encode, make_event
from shared.jsonin import MAX_DEPTH, depth, load_object
from shared.records import EARLIEST_YEAR, LATEST_YEAR
from triggers.mqtt.bridge import mqtt_event

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
hostile = (
    st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | st.sampled_from(
        [b"[" * 50_000, b'{"a":' * 40 + b"1" + b"}" * 40, b"9" * 5000, b'{"a": 1e999}', b"\xff"]
    )
)


def answers_or_invalid(parse, raw):
    try:
        return parse(raw)
    except Invalid as exc:
        assert exc.field, f"Invalid without a field for {raw[:40]!r}"
        return None


@EXAMPLES
@given(hostile)
def test_json_bodies_are_objects_or_invalid(raw):
    value = answers_or_invalid(load_object, raw)
    assert value is None or (isinstance(value, dict) and depth(value) <= MAX_DEPTH)


@EXAMPLES
@given(json_objects)
def test_json_objects_parse_back(value):
    assert load_object(json.dumps(value)) == value


@EXAMPLES
@given(st.text(max_size=60) | st.datetimes().map(lambda d: d.isoformat()))
def test_cursor_times_are_in_range_or_invalid(text):
    when = answers_or_invalid(cursor_time, text)
    assert when is None or EARLIEST_YEAR <= when.year <= LATEST_YEAR


@EXAMPLES
@given(
    st.text(max_size=80)
    | st.tuples(st.text(max_size=30), st.uuids()).map(lambda p: f"{p[0]}~{p[1]}")
)
def test_history_cursors_parse_or_invalid(text):
    answers_or_invalid(Cursor.parse, text)


@EXAMPLES
@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(8999, 12, 31), timezones=st.just(UTC)
    ),
    st.uuids(),
)
def test_history_cursors_we_issue_parse_back(when, id_):
    cursor = Cursor(when.replace(microsecond=when.microsecond // 1000 * 1000), str(id_))
    assert Cursor.parse(str(cursor)) == cursor


@EXAMPLES
@given(hostile | json_objects.map(lambda o: json.dumps(o).encode()))
def test_cloudevents_decode_or_invalid(raw):
    answers_or_invalid(decode, raw)


@EXAMPLES
@given(st.text(min_size=1, max_size=20), json_objects)
def test_cloudevents_we_write_decode_back(type_, data):
    event = make_event(type_, str(uuid.uuid4()), data)
    back = decode(encode(event))
    assert back["type"] == type_ and back.data == data and back["id"] == event["id"]


@EXAMPLES
@given(hostile | json_objects.map(lambda o: json.dumps(o).encode()))
def test_mqtt_payloads_are_events_or_invalid(raw):
    event = answers_or_invalid(lambda r: mqtt_event("townsquare/chat/user/x", r), raw)
    assert event is None or isinstance(event.data["payload"], dict)
