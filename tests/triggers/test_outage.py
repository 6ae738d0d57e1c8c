"""A backend that is down is a 503 with Retry-After — never a 500 — and a retry after it
comes back succeeds. Here the live store (sessions, rate limits) points at a port where
nothing listens, which is exactly what a stopped Redis looks like to the client."""

from __future__ import annotations

import socket

from functions.registry import load
from shared.context import Services
from shared.settings import Settings
from tests.conftest import Api
from triggers.http import create_app
from triggers.kafka import EventDispatcher


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on exit: nothing listens there


def test_a_down_backend_is_503_with_retry_after_and_health_names_it(tmp_path):
    settings = Settings(
        data_dir=tmp_path, live_url=f"redis://127.0.0.1:{dead_port()}/0", _env_file=None
    )
    services = Services(settings)
    api = Api(create_app(services).test_client(), EventDispatcher(services, load()))
    # sign-in limits live in the live store: without it, sign-ins wait rather than go unlimited
    signup = api.post(
        "/auth/signup", json={"email": "a@example.org", "name": "A", "password": "long enough pw"}
    )
    down = api.post("/auth/login", json={"email": "a@example.org", "password": "long enough pw"})
    for answer in (signup, down):
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert answer.get_json()["error"]["code"] == "unavailable"
        assert "127.0.0.1" not in answer.get_data(as_text=True)  # no address, no driver text
    assert api.get("/openapi.json").status_code == 200
    health = api.get("/health")
    # the public health check names the backend, never the driver's error text
    assert health.status_code == 503 and health.get_json()["backends"]["live"] == "unavailable"
    assert health.get_json()["backends"]["accounts"] == "ok"
    assert "127.0.0.1" not in health.get_data(as_text=True)
    services.close()
