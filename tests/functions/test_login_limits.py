"""Guessing passwords is bounded: per account and per address (429 with Retry-After),
unknown emails cost the same argon2 verify as known ones, and argon2 runs at most
password_hash_concurrency at once (503 with Retry-After past that)."""

from __future__ import annotations

import uuid

import functions.auth as auth
import functions.auth.passwords as passwords
from tests.functions.helpers import error


def somewhere() -> str:
    """An address of this test's own (the live store may be shared by other runs)."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def login(api, email, password, address=None):
    return api.post(
        "/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address or somewhere()},
    )


def test_an_account_is_locked_after_its_budget_even_for_the_right_password(api, services):
    services.settings.login_attempts_per_account = 5
    ada = api.person("Ada")
    for _ in range(4):  # the fixture's own login was the first attempt
        error(login(api, ada.user["email"], "wrong password"), 401)
    refused = login(api, ada.user["email"].upper(), ada.password)
    error(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    other = api.person("Bob")  # another account is not affected
    assert login(api, other.user["email"], other.password).status_code == 200


def test_an_address_is_limited_across_accounts_and_signups(api, services):
    services.settings.auth_attempts_per_address = 3
    here, elsewhere = somewhere(), somewhere()
    for i in range(3):
        error(login(api, f"nobody{i}@example.org", "whatever", here), 401)
    error(login(api, "nobody9@example.org", "whatever", here), 429)
    signup = api.post(
        "/auth/signup",
        json={"email": "new@example.org", "name": "New", "password": "long enough pw"},
        environ_base={"REMOTE_ADDR": here},
    )
    error(signup, 429)
    assert login(api, "nobody@example.org", "whatever", elsewhere).status_code == 401


def test_an_unknown_email_costs_one_argon2_verify_like_a_known_one(api, monkeypatch):
    ada = api.person("Ada")
    checked: list[str] = []
    real = auth.password_matches

    def counting(ctx, stored, password):
        checked.append(stored)
        return real(ctx, stored, password)

    monkeypatch.setattr(auth, "password_matches", counting)
    error(login(api, "nobody@example.org", "whatever"), 401)
    error(login(api, ada.user["email"], "wrong password"), 401)
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


def test_hashing_is_bounded_and_a_full_house_answers_503(api, services, monkeypatch):
    ada = api.person("Ada")
    monkeypatch.setattr(passwords, "HASH_WAIT_SECONDS", 0.1)
    slots = passwords._hashing_slots(services.settings.password_hash_concurrency)
    taken = [slots.acquire(timeout=1) for _ in range(services.settings.password_hash_concurrency)]
    try:
        busy = login(api, ada.user["email"], ada.password)
        error(busy, 503)
        assert busy.headers["Retry-After"]
    finally:
        for _ in taken:
            slots.release()
    assert login(api, ada.user["email"], ada.password).status_code == 200
