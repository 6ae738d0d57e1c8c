"""What the caller may not see is answered exactly as what does not exist: same status,
same body, for posts, media and groups, so no one can probe for hidden things."""

from __future__ import annotations

import uuid

from tests.functions.helpers import group_of


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.get_json()


def test_hidden_and_absent_things_get_the_same_answer(api):
    ada, eve = api.person("Ada"), api.person("Eve")
    group = group_of(api, ada, private=True)
    post = api.post(
        "/posts", who=ada, json={"text": "members only", "scope": "group", "group_uuid": group}
    )
    media = api.post("/media", who=ada, data=b"\x89PNG...", content_type="image/png")
    hidden = {
        "post": f"/posts/{post.get_json()['post']['uuid']}",
        "media": f"/media/{media.get_json()['media']['uuid']}",
        "group": f"/groups/{group}",
    }
    for what, path in hidden.items():
        absent = path.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
        assert answer(api.get(path, who=eve)) == answer(api.get(absent, who=eve)), what
        assert answer(api.get(path, who=eve))[0] == 404
