"""One registry: the gateway's routes, the OpenAPI document and API.md agree."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import functions_framework

from functions.registry import load

# Every row of the HTTP table in API.md (v1), as the client apps see it.
API_MD = """
GET /health
POST /auth/signup
POST /auth/login
POST /auth/logout
GET /users/me
PATCH /users/me
GET /users/{uuid}
PUT /users/{uuid}/follow
DELETE /users/{uuid}/follow
GET /users/{uuid}/posts
POST /groups
GET /groups/{uuid}
DELETE /groups/{uuid}
GET /groups/{uuid}/members
POST /groups/{uuid}/members
PATCH /groups/{uuid}/members/{user}
DELETE /groups/{uuid}/members/{user}
POST /posts
GET /posts/{uuid}
POST /posts/{uuid}/comments
PUT /posts/{uuid}/reactions/{code}
DELETE /posts/{uuid}/reactions/{code}
POST /posts/{uuid}/shares
POST /messages
GET /messages
POST /media
GET /media/{uuid}
GET /search
GET /feed
GET /recommendations/{kind}
GET /insights/{name}
"""
SOURCE = Path(__file__).parents[2] / "triggers" / "http" / "main.py"


def flask_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in ("openapi", "stream"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def openapi_routes(document) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}


def test_openapi_describes_exactly_the_served_routes(api):
    document = api.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert openapi_routes(document) == flask_routes(api.client.application)


def test_every_row_of_api_md_is_served(api):
    expected = {tuple(line.split()) for line in API_MD.strip().splitlines()}
    assert expected <= flask_routes(api.client.application)


def test_function_names_are_unique():
    names = Counter(f.short_name for f in load().functions.values())
    assert [name for name, n in names.items() if n > 1] == []


def test_each_http_function_is_servable_alone_by_functions_framework(tmp_path, monkeypatch):
    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(tmp_path))
    app = functions_framework.create_app(target="signup", source=str(SOURCE))
    client = app.test_client()
    body = {"email": "solo@example.org", "name": "Solo", "password": "long enough pw"}
    created = client.post("/api/v1/auth/signup", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.post("/auth/signup", json=body).status_code == 409  # prefix is optional
    assert client.get("/api/v1/auth/signup").status_code == 404  # only its own routes
    health = functions_framework.create_app(target="health", source=str(SOURCE)).test_client()
    assert health.get("/api/v1/health").get_json()["status"] == "ok"


def test_every_http_function_is_a_target():
    import importlib.util

    spec = importlib.util.spec_from_file_location("townsquare_targets", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function, _ in load().routes():
        assert callable(getattr(module, function.short_name))
