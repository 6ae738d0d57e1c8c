"""A backend that is down is a 503 with Retry-After — never a 500 — and a retry after it
comes back succeeds. Here the live store (sessions, rate limits) points at a port where
nothing listens, which is exactly what a stopped Redis looks like to the client."""

from __future__ import annotations

import socket
import time

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
    live = api.get("/health/live")  # the liveness probe asks no backend: a pod is not restarted
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    services.close()


def test_accounts_down_signed_in_calls_answer_from_the_session_snapshot(tmp_path):
    """While accounts is down, a session that carries a snapshot of its user still
    authenticates; a call that needs accounts (signup) is 503 with Retry-After; once it is
    back, authentication reads accounts again (a right granted meanwhile shows)."""
    from functions.auth import token_hash
    from tests.outages import unopenable

    reset = 1.0
    settings = Settings(data_dir=tmp_path, _env_file=None, breaker_failures=2,
                        breaker_reset_seconds=reset)  # fmt: skip
    services = Services(settings)
    api = Api(create_app(services).test_client(), EventDispatcher(services, load()))
    ada, bob = api.person("Ada"), api.person("Bob")
    assert api.post("/messages", ada, json={"to_user": bob.uuid, "text": "hi"}).status_code == 201
    services.accounts.set_operator(ada.uuid, True)
    assert api.get("/users/me", ada).get_json()["user"]["is_operator"] is True  # accounts read
    old = "a-token-from-before-sessions-kept-a-snapshot"  # a session stored without one
    services.live.put_session(token_hash(old), ada.uuid, 60)
    old_auth = {"Authorization": f"Bearer {old}"}
    assert api.get("/users/me", headers=old_auth).status_code == 200
    with unopenable(services.accounts.engine, tmp_path / "accounts.db"):
        me = api.get("/users/me", ada)
        assert me.status_code == 200
        assert me.get_json()["user"]["uuid"] == ada.uuid and me.get_json()["user"]["name"] == "Ada"
        assert me.get_json()["user"]["is_operator"] is False  # as at login: the snapshot
        assert api.get("/auth/sessions", ada).status_code == 200  # the live store only
        history = api.get(f"/messages?with_user={bob.uuid}", ada)  # live and archive only
        assert history.status_code == 200 and history.get_json()["items"][0]["text"] == "hi"
        body = {"email": "b@example.org", "name": "B", "password": "long enough pw"}
        for refused in (api.get("/users/me", headers=old_auth),
                        api.post("/auth/signup", json=body)):  # fmt: skip
            assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
            assert refused.get_json()["error"]["code"] == "unavailable"
            assert "accounts" not in refused.get_data(as_text=True)
        assert api.get("/health").get_json()["backends"]["accounts"] == "unavailable"
    time.sleep(reset)
    back = api.get("/users/me", ada)
    assert back.status_code == 200 and back.get_json()["user"]["is_operator"] is True
    assert api.get("/health").get_json()["backends"]["accounts"] == "ok"
    services.close()
