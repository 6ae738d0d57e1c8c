"""What the function tests share: reading an error answer, writing a post, making a group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.records import Post, new_uuid

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


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


def put_post(
    services, author, *, scope="public", group=None, minutes_ago=0, text="hello", at=None
) -> Post:
    """A post stored straight into content, at `at` or `minutes_ago` before T0."""
    post = Post(
        uuid=new_uuid(),
        author_uuid=author.uuid,
        name=author.user["name"],
        text=text,
        scope=scope,
        group_uuid=group,
        media=(),
        url_slug=f"post-{new_uuid()[:8]}",
        created_at=at or T0 - timedelta(minutes=minutes_ago),
    )
    services.content.put_post(post)
    return post
