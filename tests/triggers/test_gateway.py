"""The gateway's translation: bearer auth, JSON errors, size limits, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer " + "x" * 300]
)
def test_missing_or_wrong_token_is_401_json(api, header):
    headers = {"Authorization": header} if header else {}
    response = api.post("/auth/logout", headers=headers)
    assert response.status_code == 401
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_revoked_token_stops_working_at_once(api):
    ada = api.person("Ada")
    assert api.post("/auth/logout", ada).status_code == 204
    assert api.post("/auth/logout", ada).status_code == 401


def test_unknown_route_and_method_are_json(api):
    missing = api.get("/no/such/route")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = api.call("DELETE", "/auth/login")
    assert wrong.status_code == 405 and "error" in wrong.get_json()


def test_malformed_json_is_400(api):
    response = api.post("/auth/signup", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"


def test_json_that_is_not_an_object_is_400(api):
    response = api.post("/auth/signup", json=["a", "list"])
    assert response.status_code == 400


def test_oversized_body_is_413(api, services):
    big = "x" * (services.settings.max_body_bytes + 10)
    response = api.post(
        "/auth/signup", json={"email": "a@example.org", "name": big, "password": "long enough pw"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_malformed_uuid_in_path_names_the_field(api):
    ada = api.person("Ada")
    response = api.get("/users/not-a-uuid", ada)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "uuid"


def test_health_reports_every_backend(api):
    body = api.get("/health").get_json()
    assert body["status"] == "ok"
    assert set(body["backends"]) == {
        "accounts",
        "content",
        "live",
        "bus",
        "search",
        "graph",
        "blobs",
        "mail",
    }
    assert set(body["backends"].values()) == {"ok"}


def test_writes_past_the_rate_limit_are_429_with_retry_after(api, services):
    ada, bob = api.person("Ada"), api.person("Bob")
    services.settings.write_rate_per_minute = 3
    statuses = [api.put(f"/users/{bob.uuid}/follow", ada).status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429]
    limited = api.put(f"/users/{bob.uuid}/follow", ada)
    assert limited.headers["Retry-After"] == "60"
    assert api.get(f"/users/{bob.uuid}", ada).status_code == 200  # reads are not limited
