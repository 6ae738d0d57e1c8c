"""auth: signup, login, logout, and the bearer token on every other call."""

from __future__ import annotations

import uuid


def test_signup_login_me_logout(api):
    ada = api.person("Ada")
    me = api.get("/users/me", ada)
    assert me.status_code == 200 and me.get_json()["user"]["uuid"] == ada.uuid
    assert api.post("/auth/logout", ada).status_code == 204
    assert api.get("/users/me", ada).status_code == 401
    again = api.post("/auth/logout", ada)
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "unauthorized"


def unique_email(name: str) -> str:
    """An address no other test or run has signed up with (the store may be shared)."""
    return f"{name}.{uuid.uuid4().hex[:12]}@Example.org"


def test_signup_returns_user_without_password(api):
    email = unique_email("Grace")
    response = api.post(
        "/auth/signup", json={"email": email, "name": "Grace", "password": "long enough pw"}
    )
    assert response.status_code == 201
    user = response.get_json()["user"]
    assert user["email"] == email.lower() and user["email"].startswith("grace.")
    assert "password" not in str(user)


def test_duplicate_email_is_409_case_insensitive(api):
    body = {"email": unique_email("dup").lower(), "name": "One", "password": "long enough pw"}
    assert api.post("/auth/signup", json=body).status_code == 201
    again = api.post("/auth/signup", json=body | {"email": body["email"].upper()})
    assert again.status_code == 409
    assert again.get_json()["error"]["field"] == "email"


def test_login_with_wrong_password_is_401(api):
    ada = api.person("Ada")
    response = api.post(
        "/auth/login", json={"email": ada.user["email"], "password": "wrong password"}
    )
    assert response.status_code == 401


def test_login_token_expiry_is_reported(api):
    ada = api.person("Ada")
    response = api.post("/auth/login", json={"email": ada.user["email"], "password": ada.password})
    body = response.get_json()
    assert body["expires_at"].endswith("Z") and len(body["token"]) >= 40


def test_token_is_stored_hashed(api, services):
    from functions.auth import token_hash

    ada = api.person("Ada")
    assert services.live.session_user(ada.token) is None
    assert services.live.session_user(token_hash(ada.token)) == ada.uuid


def test_signup_bad_input_names_the_field(api):
    users_before = services_user_count(api)
    cases = [
        ({"name": "x", "password": "long enough pw"}, "email"),
        ({"email": "not-an-email", "name": "x", "password": "long enough pw"}, "email"),
        ({"email": "a@example.org", "name": "x", "password": "short"}, "password"),
        ({"email": "a@example.org", "name": "", "password": "long enough pw"}, "name"),
        ({"email": "a@example.org", "name": 12, "password": "long enough pw"}, "name"),
        (
            {
                "email": "a@example.org",
                "name": "x",
                "password": "long enough pw",
                "phone": "call me",
            },
            "phone",
        ),
    ]
    for body, field in cases:
        response = api.post("/auth/signup", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"] == field, body
    assert services_user_count(api) == users_before


def services_user_count(api) -> int:
    services = api.client.application.extensions["townsquare"]
    return services.accounts.count_users()
