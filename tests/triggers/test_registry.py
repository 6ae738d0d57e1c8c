"""One registry: the gateway's routes, the OpenAPI document and docs/api.md agree."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import functions_framework

from functions.registry import load

DOCS = Path(__file__).parents[2] / "docs" / "api.md"


def documented_routes() -> set[tuple[str, str]]:
    """Every (method, path) of docs/api.md's HTTP table ("GET /a · DELETE /a", "PUT /b · DELETE …")."""
    routes = set()
    for row in DOCS.read_text().splitlines():
        if not row.startswith("| v1 |") and not row.startswith("| |"):
            continue
        cell = row.split("|")[2]
        last_path = ""
        for method, path in re.findall(r"([A-Z]+) (/[^\s`?]*|…)", cell):
            path = last_path if path == "…" else path
            routes.add((method, path))
            last_path = path
    return routes


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


def test_docs_api_md_names_exactly_the_served_routes(api):
    assert documented_routes() == flask_routes(api.client.application)


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
