"""What the function tests share: reading an error answer, writing a post, making a group."""

from __future__ import annotations


def error(response, status: int, field: str | None = None) -> dict:
    """The error body (docs/api.md) of `response`, checked for its status and the field it names."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()["error"]
    assert body["code"] and body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def post_of(api, who, text: str = "Hello town square", **fields) -> dict:
    """A public post by `who` (fields override), as the API answered it."""
    response = api.post("/posts", who=who, json={"text": text, "scope": "public", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["post"]


def group_of(api, admin, *members, private: bool = True, name: str = "Club") -> str:
    """A group made by `admin`, with `members` added by the admin; its uuid."""
    response = api.post("/groups", who=admin, json={"name": name, "is_private": private})
    assert response.status_code == 201, response.get_json()
    uuid = response.get_json()["group"]["uuid"]
    for person in members:
        added = api.post(f"/groups/{uuid}/members", who=admin, json={"user_uuid": person.uuid})
        assert added.status_code == 201, added.get_json()
    return uuid
