"""The web app's serving and its browser session (triggers/http/web.py, session.py):
content types and security headers, the HttpOnly cookie, CSRF, Origin, bearer untouched."""

from __future__ import annotations

import re

import pytest

from tests.functions.helpers import error
from triggers.auth.session import CSRF_COOKIE, SESSION_COOKIE, csrf_of

HERE = "http://localhost"  # the Flask test client's own origin


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html"),
        ("/assets/app.css", "text/css"),
        ("/assets/js/main.js", "text/javascript"),
        ("/assets/js/views/messenger.js", "text/javascript"),
    ],
)
def test_app_files_have_their_types_and_nosniff(api, path, content_type):
    response = api.client.get(path)
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_has_a_strict_csp_and_no_inline_script(api):
    response = api.client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.get_data(as_text=True), re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)


def test_unknown_or_escaping_paths_are_404(api):
    assert api.client.get("/assets/nope.js").status_code == 404
    assert api.client.get("/assets/../../pyproject.toml").status_code == 404
    assert api.client.get("/assets/%2e%2e/%2e%2e/pyproject.toml").status_code == 404


def cookie_login(api, person):
    response = api.post(
        "/auth/login",
        json={"email": person.user["email"], "password": person.password},
        headers={"X-Townsquare-Session": "cookie"},
    )
    assert response.status_code == 200
    return response


def test_cookie_login_keeps_the_token_out_of_script_reach(api):
    ada = api.person("Ada")
    response = cookie_login(api, ada)
    body = response.get_json()
    assert "token" not in body and body["user"]["uuid"] == ada.uuid
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    session = cookies[SESSION_COOKIE]
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    assert "HttpOnly" not in cookies[CSRF_COOKIE]
    token = session.split(";")[0].split("=", 1)[1]
    assert body["csrf"] == csrf_of(token) and token not in body["csrf"]


def test_a_bearer_login_is_unchanged(api):
    ada = api.person("Ada")
    response = api.post("/auth/login", json={"email": ada.user["email"], "password": ada.password})
    assert response.get_json()["token"] and not response.headers.getlist("Set-Cookie")


def test_the_cookie_reads_and_writes_only_with_the_csrf_header(api):
    ada = api.person("Ada")
    csrf = cookie_login(api, ada).get_json()["csrf"]
    assert api.get("/users/me").get_json()["user"]["uuid"] == ada.uuid
    error(api.patch("/users/me", json={"name": "Eve"}), 403, "X-CSRF-Token")
    error(api.patch("/users/me", json={"name": "Eve"}, headers={"X-CSRF-Token": "x" * 64}), 403)
    changed = api.patch("/users/me", json={"name": "Ada L."}, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200 and changed.get_json()["user"]["name"] == "Ada L."


def test_the_cookie_works_only_from_the_apps_own_origin(api):
    ada = api.person("Ada")
    csrf = cookie_login(api, ada).get_json()["csrf"]
    error(api.get("/users/me", headers={"Origin": "https://evil.example"}), 403, "Origin")
    headers = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    error(api.post("/posts", json={"text": "x", "scope": "public"}, headers=headers), 403)
    assert api.get("/users/me", headers={"Origin": HERE}).status_code == 200
    error(api.get("/stream", headers={"Origin": "https://evil.example"}), 403, "Origin")


def test_logout_by_cookie_ends_the_session_and_clears_the_cookies(api):
    ada = api.person("Ada")
    csrf = cookie_login(api, ada).get_json()["csrf"]
    response = api.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    cleared = " ".join(response.headers.getlist("Set-Cookie"))
    assert f"{SESSION_COOKIE}=;" in cleared and f"{CSRF_COOKIE}=;" in cleared
    error(api.get("/users/me"), 401)
    assert api.get("/users/me", ada).status_code == 200  # the bearer session is its own


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [("/", 200, "text/html"), ("/assets/js/api.js", 200, "text/javascript"), ("/x", 404, None)],
)
def test_the_web_app_deploys_as_its_own_lambda(monkeypatch, path, status, content_type):
    """template.yaml's WebFunction: the handler fed API Gateway's proxy event shape
    (no Lambda runtime runs here), answering the files with their headers."""
    from triggers import aws

    monkeypatch.setenv("TOWNSQUARE_FUNCTION", "web_app")
    event = {"httpMethod": "GET", "path": path, "headers": {}, "body": None}
    answer = aws.handler(event)
    assert answer["statusCode"] == status
    if content_type:
        assert answer["headers"]["Content-Type"].startswith(content_type)
        assert answer["headers"]["X-Content-Type-Options"] == "nosniff"


def test_no_module_parses_strings_as_html_or_code():
    """User text reaches the page only as text nodes (web/static/js/dom.js)."""
    from triggers.http.web import STATIC

    sinks = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"
    )
    found = {
        str(path.relative_to(STATIC)): sinks.findall(path.read_text())
        for path in STATIC.rglob("*.js")
    }
    assert len(found) >= 10 and not any(found.values()), found
