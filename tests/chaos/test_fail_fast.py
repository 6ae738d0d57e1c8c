"""F1–F3: a request that needs a backend which is down is answered 503 with Retry-After at
once (the port's circuit breaker), a request that does not need it keeps working, and the
breaker closes again once the server is back. Private PostgreSQL and Redis, frozen or
killed for real; each answer's time is printed (speed goals live in bench/outage.py)."""

from __future__ import annotations

import pytest

from tests.chaos.outage import Outages

pytestmark = [pytest.mark.chaos, pytest.mark.real, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def world():
    outages = Outages()
    try:
        yield outages.start()
    finally:
        outages.close()


def refused_fast(answer) -> bool:
    return (
        answer.status_code == 503
        and int(answer.headers["Retry-After"]) >= 1
        and answer.get_json()["error"]["message"].startswith("a service Townsquare needs")
    )


def test_f1_redis_paused_live_needing_requests_are_503_with_retry_after(world):
    api, ada = world.api, world.api.person("Ada")
    breaker = world.services.breakers["live"]
    with world.paused("redis"):
        answers = [world.timed("GET", "/users/me", ada) for _ in range(8)]
        print("\nF1 Redis paused, GET /users/me:", [f"{s * 1000:.0f} ms" for _, s in answers])
        assert all(refused_fast(answer) for answer, _ in answers)
        assert breaker.opened
        health = api.get("/health")
        assert health.status_code == 503 and health.get_json()["backends"]["live"] == "unavailable"
        assert health.get_json()["backends"]["accounts"] == "ok"
    assert world.recovered(lambda: api.get("/users/me", ada).status_code == 200)
    assert breaker.closed and api.get("/health").status_code == 200


def test_f2_postgres_killed_signed_in_reads_work_signup_is_503(world):
    api = world.api
    ada, bob = api.person("Ada"), api.person("Bob")
    sent = api.post("/messages", ada, json={"to_user": bob.uuid, "text": "still here?"})
    assert sent.status_code == 201, sent.get_json()
    with world.stopped("postgres"):
        me, seconds = world.timed("GET", "/users/me", ada)
        print(f"\nF2 PostgreSQL down, GET /users/me: {me.status_code} in {seconds * 1000:.0f} ms")
        assert me.status_code == 200 and me.get_json()["user"]["uuid"] == ada.uuid
        assert api.get("/auth/sessions", bob).status_code == 200
        history = api.get(f"/messages?with_user={ada.uuid}", bob)  # live and archive only
        assert history.status_code == 200
        assert [m["text"] for m in history.get_json()["items"]] == ["still here?"]
        body = {"email": "carol@example.org", "name": "Carol", "password": "long enough pw"}
        signups = [world.timed("POST", "/auth/signup", json=body) for _ in range(7)]
        print("F2 PostgreSQL down, POST /auth/signup:", [f"{s * 1000:.0f} ms" for _, s in signups])
        assert all(refused_fast(answer) for answer, _ in signups)
        assert world.services.breakers["accounts"].opened
        still = api.get("/users/me", bob)  # breaker open: identify goes to the snapshot at once
        assert still.status_code == 200 and still.get_json()["user"]["name"] == "Bob"
    assert world.recovered(lambda: api.post("/auth/signup", json=body).status_code == 201)
    assert world.services.breakers["accounts"].closed
    assert api.get("/health").status_code == 200


def test_f3_postgres_frozen_calls_end_with_503_instead_of_hanging(world):
    """A frozen server enforces no statement_timeout: the client-side bound on each wait
    (shared/adapters/accounts/engine.py) ends the call, and the breaker then answers."""
    api = world.api
    ada = api.person("Ada")
    body = {"email": "dave@example.org", "name": "Dave", "password": "long enough pw"}
    with world.paused("postgres"):
        signups = [world.timed("POST", "/auth/signup", json=body) for _ in range(7)]
        print(
            "\nF3 PostgreSQL frozen, POST /auth/signup:", [f"{s * 1000:.0f} ms" for _, s in signups]
        )
        assert all(refused_fast(answer) for answer, _ in signups)
        assert world.services.breakers["accounts"].opened
        me = api.get("/users/me", ada)
        assert me.status_code == 200 and me.get_json()["user"]["uuid"] == ada.uuid
    assert world.recovered(lambda: api.post("/auth/signup", json=body).status_code == 201)
    assert world.services.breakers["accounts"].closed
