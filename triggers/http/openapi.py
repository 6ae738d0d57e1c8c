"""The OpenAPI 3.1 document, built from the registry alone (so it cannot drift from the routes)."""

from __future__ import annotations

from functions.registry import Registry, Route

# What a path parameter must be: the gateway enforces it, the document states it.
UUID_PARAMS = {"uuid", "user", "group"}
PARAM_PATTERNS = {
    "code": r"[a-z0-9_+-]{1,32}",
    "kind": r"[a-z]{1,32}",
    "name": r"[a-z0-9_.-]{1,64}",
    "session": r"[0-9a-f]{16}",
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}
ERROR_STATUSES = {
    "400": "bad input (the field is named)",
    "401": "no, bad or revoked token",
    "403": "not allowed",
    "404": "not found",
    "409": "conflict",
    "413": "too large",
    "429": "rate limited",
    "503": "a backend is unavailable; retry after Retry-After seconds",
}


def openapi_document(registry: Registry) -> dict:
    paths: dict[str, dict] = {}
    for function, route in sorted(registry.routes(), key=lambda pair: pair[1].path):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(function, route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Townsquare", "version": "1.0.0"},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(function, route: Route) -> dict:
    operation: dict = {
        "operationId": function.short_name,
        "summary": route.summary or function.doc.split("\n")[0],
        "parameters": _parameters(route),
        "responses": _responses(route),
    }
    if route.auth:
        operation["security"] = [{"bearer": []}]
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": route.body.model_json_schema()}},
        }
    elif route.raw_body:
        operation["requestBody"] = {
            "required": True,
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    return operation


def _parameters(route: Route) -> list[dict]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(name)}
        for name in route.params
    ]
    if route.query is not None:
        schema = route.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return params


def _path_schema(name: str) -> dict:
    if name in UUID_PARAMS:
        return {"type": "string", "format": "uuid"}
    if name in PARAM_PATTERNS:
        return {"type": "string", "pattern": f"^{PARAM_PATTERNS[name]}$"}
    return {"type": "string"}


def _responses(route: Route) -> dict:
    ok = {"description": "success"}
    if route.status != 204:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses = {str(route.status): ok}
    for status, text in ERROR_STATUSES.items():
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses
