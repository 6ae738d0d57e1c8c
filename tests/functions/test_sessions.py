"""Sessions a person can see and end, password change (every session ends, this device gets
a new token) and reset by mail (a one-time code; every session ends)."""

from __future__ import annotations

import logging
import re

from tests.conftest import REAL
from tests.functions.helpers import error
from tests.mailbox import letters

NEW = "a brand new horse battery"


def login(api, person, password=None):
    body = {"email": person.user["email"], "password": password or person.password}
    return api.post("/auth/login", json=body)


def test_sessions_are_listed_and_one_can_be_ended(api):
    ada = api.person("Ada")
    phone = login(api, ada).get_json()["token"]
    items = api.get("/auth/sessions", who=ada).get_json()["items"]
    assert len(items) == 2 and [i["current"] for i in items].count(True) == 1
    other = next(i for i in items if not i["current"])
    assert re.fullmatch(r"[0-9a-f]{16}", other["id"]) and phone not in str(items)
    assert api.delete(f"/auth/sessions/{other['id']}", who=ada).status_code == 204
    error(api.get("/users/me", headers={"Authorization": f"Bearer {phone}"}), 401)
    assert api.get("/users/me", who=ada).status_code == 200
    error(api.delete(f"/auth/sessions/{other['id']}", who=ada), 404, "session")
    error(api.delete("/auth/sessions/NOT-AN-ID", who=ada), 400, "session")


def test_another_persons_session_cannot_be_ended(api):
    ada, eve = api.person("Ada"), api.person("Eve")
    ada_id = api.get("/auth/sessions", who=ada).get_json()["items"][0]["id"]
    error(api.delete(f"/auth/sessions/{ada_id}", who=eve), 404, "session")
    assert api.get("/users/me", who=ada).status_code == 200


def test_log_out_everywhere(api):
    ada = api.person("Ada")
    phone = login(api, ada).get_json()["token"]
    assert api.delete("/auth/sessions", who=ada).status_code == 204
    for token in (ada.token, phone):
        error(api.get("/users/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_changing_the_password_ends_every_session_and_rotates_this_one(api):
    ada = api.person("Ada")
    phone = login(api, ada).get_json()["token"]
    wrong = {"current_password": "not it at all", "new_password": NEW}
    error(api.post("/auth/password", who=ada, json=wrong), 403, "current_password")
    weak = {"current_password": ada.password, "new_password": "password1"}
    error(api.post("/auth/password", who=ada, json=weak), 400, "new_password")
    changed = api.post(
        "/auth/password", who=ada, json={"current_password": ada.password, "new_password": NEW}
    )
    assert changed.status_code == 200
    fresh = changed.get_json()["token"]
    for token in (ada.token, phone):
        error(api.get("/users/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert api.get("/users/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    error(login(api, ada), 401)
    assert login(api, ada, NEW).status_code == 200


def reset_code(caplog, email: str) -> str:
    mine = [body for to, _, body in letters(REAL, caplog, "reset code") if to == email]
    assert len(mine) == 1, mine
    return re.search(r"reset code: (\S+)", mine[0]).group(1)


def test_a_reset_code_by_mail_sets_a_new_password_once(api, caplog):
    caplog.set_level(logging.INFO, logger="townsquare.mail")
    ada = api.person("Ada")
    asked = api.post("/auth/password-reset", json={"email": ada.user["email"].upper()})
    unknown = api.post("/auth/password-reset", json={"email": "nobody@example.org"})
    assert asked.status_code == unknown.status_code == 202
    assert asked.get_json() == unknown.get_json()  # says nothing about who has an account
    code = reset_code(caplog, ada.user["email"])
    weak = {"token": code, "new_password": "aaaaaaaa"}
    error(api.post("/auth/password-reset/confirm", json=weak), 400, "new_password")
    confirm = {"token": code, "new_password": NEW}
    assert api.post("/auth/password-reset/confirm", json=confirm).status_code == 204
    error(api.get("/users/me", who=ada), 401)
    assert login(api, ada, NEW).status_code == 200
    error(api.post("/auth/password-reset/confirm", json=confirm), 400, "token")
    forged = {"token": "x" * 43, "new_password": NEW}
    error(api.post("/auth/password-reset/confirm", json=forged), 400, "token")
