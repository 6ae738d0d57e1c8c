"""Fixtures shared by the function, trigger and end-to-end tests.

`services` is a whole Townsquare on embedded backends in a fresh folder (or, with
TOWNSQUARE_TEST_BACKENDS=real, on the servers of `townsquare stack up`);
`api` is an HTTP client over the real gateway with helpers to sign people up;
`events` runs the event-subscribed functions until the bus is drained.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest

from functions.registry import load
from shared.context import Services
from shared.settings import Settings
from triggers.http import create_app
from triggers.http.errors import UNEXPECTED
from triggers.kafka import EventDispatcher

# Cheap argon2 parameters for tests only (hashes carry their own parameters; production
# keeps the defaults in shared/settings.py). The hashing code path is the same.
os.environ.setdefault("TOWNSQUARE_PASSWORD_TIME_COST", "1")
os.environ.setdefault("TOWNSQUARE_PASSWORD_MEMORY_KIB", "1024")


REAL = os.environ.get("TOWNSQUARE_TEST_BACKENDS") == "real"


def _settings(tmp_path) -> Settings:
    overrides = {}
    if REAL:
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items() if port != "mqtt"}
    return Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)


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
        if REAL:
            return self.events.drain(timeout=0.3, quiet_rounds=2)
        return self.events.drain()


@pytest.fixture
def api(services, events):
    UNEXPECTED.clear()
    app = create_app(services)
    app.testing = True
    yield Api(app.test_client(), events)
    assert not UNEXPECTED, f"unexpected server errors: {UNEXPECTED!r}"
