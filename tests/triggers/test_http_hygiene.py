"""What every HTTP answer says about itself: JSON is never sniffed, nothing is cached by
shared caches (a login answer holds a token), the Server header names no stack, OPTIONS
is a JSON 405 like any other unsupported method; passwords are taken exactly as typed and
must be hard to guess; names hold no control or bidi-override characters."""

from __future__ import annotations

import uuid

import pytest

from tests.functions.helpers import error


def test_answers_are_nosniff_no_store_and_name_no_stack(running):
    ada = running.person("Ada")
    for response in (
        running.call("GET", "/health"),
        running.call("GET", "/users/me", ada["token"]),
        running.call("POST", "/auth/login", json={"email": "x@example.org", "password": "y"}),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        server = response.headers.get("Server", "")
        assert "Werkzeug" not in server and "Python" not in server, server


def test_options_is_a_json_405(running):
    response = running.call("OPTIONS", "/posts")
    assert response.status_code == 405
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"]


def signup(api, password, name="Ada", email=None):
    email = email or f"ada.{uuid.uuid4().hex[:8]}@example.org"  # accounts may be shared
    return api.post("/auth/signup", json={"email": email, "name": name, "password": password})


@pytest.mark.parametrize("weak", ["aaaaaaaa", "password1", "12345678", "qwertyuiop", "<email>"])
def test_common_or_guessable_passwords_are_refused(api, weak):
    email = f"ada.{uuid.uuid4().hex[:8]}@example.org"
    body = error(signup(api, email if weak == "<email>" else weak, email=email), 400, "password")
    assert "guess" in body["message"]


def test_a_password_is_taken_exactly_as_typed(api):
    email = f"ada.{uuid.uuid4().hex[:8]}@example.org"
    assert signup(api, "  padded horse battery  ", email=email).status_code == 201
    login = {"email": email, "password": "padded horse battery"}
    error(api.post("/auth/login", json=login), 401)
    login["password"] = "  padded horse battery  "
    assert api.post("/auth/login", json=login).status_code == 200


@pytest.mark.parametrize("name", ["Ada\x00", "Ada\u202egro.elgoog", "A\u2066da", "Ada\nLovelace"])
def test_names_hold_no_control_or_bidi_override_characters(api, name):
    error(signup(api, "correct horse battery", name=name), 400, "name")
    ada = api.person("Ada")
    error(api.patch("/users/me", who=ada, json={"name": name}), 400, "name")
    error(api.post("/groups", who=ada, json={"name": name}), 400, "name")
