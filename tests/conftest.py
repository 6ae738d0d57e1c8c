"""Fixtures shared by the function, trigger and end-to-end tests.

`services` is a whole Townsquare on embedded backends in a fresh folder (or, with
TOWNSQUARE_TEST_BACKENDS=real, on the servers of `townsquare stack up`);
`api` is an HTTP client over the real gateway with helpers to sign people up;
`events` runs the event-subscribed functions until the bus is drained; `bus_log` reads
what the test published.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from dataclasses import dataclass

import pytest

from functions.registry import load
from shared.context import Services
from shared.settings import Settings
from tests.buslog import BusLog, forget_groups, start_at_the_end
from triggers.http import create_app
from triggers.kafka import EventDispatcher

# Cheap argon2 parameters for tests only (hashes carry their own parameters; production
# keeps the defaults in shared/settings.py). The hashing code path is the same.
os.environ.setdefault("TOWNSQUARE_PASSWORD_TIME_COST", "1")
os.environ.setdefault("TOWNSQUARE_PASSWORD_MEMORY_KIB", "1024")
# Tests sign hundreds of people up from 127.0.0.1; the address limit has tests of its own.
os.environ.setdefault("TOWNSQUARE_AUTH_ATTEMPTS_PER_ADDRESS", "1000000")
# A test server alive at hh:17 would start a Spark job in the test process; the analytics
# tests run the job themselves.
os.environ.setdefault("TOWNSQUARE_CRON_OFF", "insights.compute_insights")


REAL = os.environ.get("TOWNSQUARE_TEST_BACKENDS") == "real"


RUN = uuid.uuid4().hex[:8]


def real_overrides() -> dict[str, str]:
    """Settings for the servers of `townsquare stack up`. Search refreshes on each write
    instead of waiting for the next periodic refresh (up to a second per write); the event
    functions' consumer groups are this run's own (see tests/buslog.py)."""
    from stack import URLS

    overrides = {f"{port}_url": url for port, url in URLS.items()}
    overrides["search_url"] += ("&" if "?" in overrides["search_url"] else "?") + "refresh=true"
    overrides["event_group_prefix"] = f"townsquare.test-{RUN}.fn."
    return overrides


def _settings(tmp_path) -> Settings:
    overrides = {}
    if REAL:
        overrides = {k: v for k, v in real_overrides().items() if k != "mqtt_url"}
    return Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)


@pytest.fixture(scope="session")
def run_event_groups(tmp_path_factory) -> str:
    """The event functions' consumer groups of this run on the stack's Kafka: they start at
    the end of the log, and are deleted when the run ends. Yields their prefix."""
    overrides = {k: v for k, v in real_overrides().items() if k != "mqtt_url"}
    services = Services(
        Settings(data_dir=tmp_path_factory.mktemp("groups"), _env_file=None, **overrides)
    )
    dispatcher = EventDispatcher(services, load())
    groups = [dispatcher.group_of(function) for function, _ in dispatcher.subscribers]
    start_at_the_end(services.bus, groups)
    yield overrides["event_group_prefix"]
    forget_groups(services.bus, groups)
    services.close()


@pytest.fixture(scope="session", autouse=True)
def _real_runs_use_their_own_event_groups(request):
    if REAL:
        request.getfixturevalue("run_event_groups")


@pytest.fixture
def services(tmp_path):
    services = Services(_settings(tmp_path))
    yield services
    services.close()


@pytest.fixture
def events(services) -> EventDispatcher:
    dispatcher = EventDispatcher(services, load())
    yield dispatcher
    dispatcher.close()


@pytest.fixture
def bus_log(services) -> BusLog:
    """The events published on the bus since this test began (a shared broker holds more)."""
    log = BusLog(services)
    yield log
    log.close()


@dataclass
class Person:
    user: dict
    token: str
    password: str

    @property
    def uuid(self) -> str:
        return self.user["uuid"]

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """The Flask test client, speaking JSON under /api/v1, plus a few helpers."""

    def __init__(self, client, events: EventDispatcher) -> None:
        self.client = client
        self.events = events

    def call(self, method: str, path: str, who: Person | None = None, **kw):
        headers = dict(kw.pop("headers", {}))
        if who is not None:
            headers.update(who.auth)
        response = self.client.open("/api/v1" + path, method=method, headers=headers, **kw)
        assert response.status_code != 500, response.get_data(as_text=True)
        return response

    def get(self, path, who=None, **kw):
        return self.call("GET", path, who, **kw)

    def post(self, path, who=None, **kw):
        return self.call("POST", path, who, **kw)

    def put(self, path, who=None, **kw):
        return self.call("PUT", path, who, **kw)

    def patch(self, path, who=None, **kw):
        return self.call("PATCH", path, who, **kw)

    def delete(self, path, who=None, **kw):
        return self.call("DELETE", path, who, **kw)

    def operator(self, name: str = "Operator") -> Person:
        """A person with operator rights (insights, admin views)."""
        person = self.person(name)
        self.client.application.extensions["townsquare"].accounts.set_operator(person.uuid, True)
        return person

    def person(self, name: str = "Ada", password: str = "correct horse battery") -> Person:
        email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.org"
        signup = self.post(
            "/auth/signup", json={"email": email, "name": name, "password": password}
        )
        assert signup.status_code == 201, signup.get_json()
        login = self.post("/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.get_json()
        return Person(
            user=login.get_json()["user"], token=login.get_json()["token"], password=password
        )

    def settle(self) -> int:
        """Run every event-subscribed function until the bus is drained."""
        # Kafka's fetches come back asynchronously: give each poll a moment to wait for them
        return self.events.drain(timeout=0.05 if REAL else 0.0)


@pytest.fixture
def api(services, events):
    app = create_app(services)
    app.testing = True
    with unexpected_errors() as faults:
        yield Api(app.test_client(), events)
    assert not faults, f"unexpected server errors: {faults!r}"


@contextlib.contextmanager
def unexpected_errors():
    """The exceptions the gateway answered as "internal" while the block ran (it logs each)."""
    faults: list = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage() == "unexpected error":
                faults.append(record.exc_info[1] if record.exc_info else record.getMessage())

    watch, logger = Watch(logging.ERROR), logging.getLogger("townsquare.http")
    logger.addHandler(watch)
    try:
        yield faults
    finally:
        logger.removeHandler(watch)
