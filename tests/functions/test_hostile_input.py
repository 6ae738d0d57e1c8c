"""Tampered cursors on every paged listing are a 400 naming `before`; search text of any
script, length and syntax is never an error and never shows what the caller may not see."""

from __future__ import annotations

import uuid

import pytest

from tests.functions.helpers import error, group_of, post_of

TAMPERED = [
    "yesterday",
    "2026-13-45T00:00:00Z",
    "2026-01-01T00:00:00+25:00",
    "9999-12-31T23:59:59-05:00",  # parses, but overflows once made UTC
    "0001-01-01T00:00:00+05:00",
    "1700000000",
    "2026-01-01T00:00:00Z' OR '1'='1",
    "2026-01-01T00:00:00Z~not-a-uuid",
    "\u0000",
    "x" * 10_000,
]
RAW_TAMPERED = ["before=%ED%A0%80", "before=%FF%FE", "before=2026-01-01T00%3A00%3A00Z%00"]


@pytest.fixture
def listings(api):
    """Every paged listing's path and its fixed query, for one caller (Ada)."""
    ada, bob = api.person("Ada"), api.person("Bob")
    club = group_of(api, ada, bob)
    return ada, [
        (f"/users/{bob.uuid}/posts", {}),
        (f"/groups/{club}/posts", {}),
        ("/groups", {"mine": 1}),
        ("/feed", {}),
        ("/messages", {"with_user": bob.uuid}),
    ]


def test_tampered_cursors_are_400_naming_before(api, listings):
    ada, paths = listings
    for path, query in paths:
        for cursor in TAMPERED:
            response = api.get(path, who=ada, query_string={**query, "before": cursor})
            error(response, 400, "before")
        for raw in RAW_TAMPERED:
            fixed = "&".join(f"{k}={v}" for k, v in query.items())
            response = api.get(path, who=ada, query_string=f"{fixed}&{raw}".lstrip("&"))
            error(response, 400, "before")


def test_a_cursor_a_page_gave_is_accepted_everywhere(api, listings):
    ada, paths = listings
    for path, query in paths:
        response = api.get(path, who=ada, query_string={**query, "before": "2026-01-01T00:00:00Z"})
        assert response.status_code == 200, (path, response.get_json())


HOSTILE_QUERIES = [
    '"',
    '"unclosed phrase',
    "AND OR NOT",
    "NEAR(a b, 3)",
    "title:secret",
    "visibility:public",
    "*",
    "?",
    "wild*card",
    "te?t",
    "~fuzzy~2",
    "a^3",
    "(((",
    "[a TO z]",
    "{}",
    "\\",
    "/regex.*/",
    "'; DROP TABLE search_docs; --",
    "\x00\x01\x7f",
    "x" * 10_000,
    "word " * 2_000,
    "花見",
    "東",
    "مرحبا بالعالم",
    "Zürich café",
    "🙂🎉",
    "#hiking",
    "\u202e\u200b\ufeff",
]


@pytest.mark.parametrize("type_", ["posts", "users", "groups"])
def test_search_text_of_any_kind_is_never_an_error(api, type_):
    ada = api.person("Ada")
    for q in HOSTILE_QUERIES:
        response = api.get("/search", who=ada, query_string={"q": q, "type": type_})
        assert response.status_code == 200, (q[:40], response.get_json())
        assert isinstance(response.get_json()["items"], list)


def test_hostile_search_text_never_reaches_a_private_post(api):
    ada, bob, word = api.person("Ada"), api.person("Bob"), "w" + uuid.uuid4().hex[:12]
    club = group_of(api, bob)
    secret = api.post(
        "/posts",
        who=bob,
        json={"text": f"secret {word} plans", "scope": "group", "group_uuid": club},
    )
    assert secret.status_code == 201
    shown = post_of(api, bob, f"public {word} plans")
    api.settle()
    for q in (word, f"{word}*", f'"{word}"', f"{word} OR secret", f"visibility:* {word}"):
        response = api.get("/search", who=ada, query_string={"q": q})
        assert [item["uuid"] for item in response.get_json()["items"]] in ([shown["uuid"]], []), q


def test_search_text_with_a_lone_surrogate_in_the_url_is_not_an_error(api):
    ada = api.person("Ada")
    for raw in ("q=%ED%A0%80", "q=%FF%FE%00", "q=caf%C3%A9%ED%BF%BF"):
        response = api.get("/search", who=ada, query_string=raw)
        assert response.status_code == 200, (raw, response.get_json())


def test_a_post_with_a_lone_surrogate_is_refused_or_found_never_an_error(api):
    ada, word = api.person("Ada"), "w" + uuid.uuid4().hex[:12]
    body = '{"text": "half \\ud800 a pair ' + word + '", "scope": "public"}'
    made = api.post("/posts", who=ada, data=body, content_type="application/json")
    assert made.status_code in (201, 400), made.get_json()
    api.settle()
    response = api.get("/search", who=ada, query_string={"q": word})
    assert response.status_code == 200
    expected = [made.get_json()["post"]["uuid"]] if made.status_code == 201 else []
    assert [item["uuid"] for item in response.get_json()["items"]] == expected
