"""media over HTTP: upload, fetch back, and who may fetch it (owner, viewers of a post or
message that attaches it; everyone else is told 404) — and the refusals, which store nothing."""

from __future__ import annotations

import uuid

from shared.adapters.blobs.s3 import S3Blobs
from shared.breakers import unguarded
from shared.records import Message, new_timeuuid, utcnow
from tests.functions.helpers import error
from tests.functions.helpers import group_of as _group_of

UNKNOWN = "00000000-0000-4000-8000-000000000000"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def upload(api, who, data=PNG, content_type="image/png") -> dict:
    response = api.post("/media", who=who, data=data, content_type=content_type)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["media"]


def fetch_status(api, who, media_uuid: str) -> int:
    return api.get(f"/media/{media_uuid}", who=who).status_code


def stored_blobs(services) -> set[str]:
    """Every blob stored: files of the embedded folder, or the keys of the S3 bucket."""
    blobs = unguarded(services.blobs)
    if isinstance(blobs, S3Blobs):
        pages = blobs.client.get_paginator("list_objects_v2").paginate(Bucket=blobs.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}
    folder = services.settings.data_dir / "blobs"
    return {str(p) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def post(api, who, media_uuid: str, **body) -> dict:
    body = {"text": "look", "scope": "public", "media": [media_uuid], **body}
    response = api.post("/posts", who=who, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["post"]


# --- upload and fetch -----------------------------------------------------------------------


def test_upload_then_the_owner_fetches_the_same_bytes(api, services, bus_log):
    ada = api.person("Ada")
    media = upload(api, ada, content_type="image/png")
    assert (media["content_type"], media["size"], media["owner_uuid"]) == (
        "image/png",
        len(PNG),
        ada.uuid,
    )
    assert uuid.UUID(media["uuid"]) and "blob_key" not in media
    response = api.get(f"/media/{media['uuid']}", who=ada)
    assert response.status_code == 200
    assert response.get_data() == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert services.blobs.get(f"media/{media['uuid']}") == PNG
    [event] = bus_log.events("media.uploaded", ada.uuid)
    assert event["subject"] == media["uuid"] and event.data == media


def test_a_content_type_with_parameters_is_kept(api):
    ada = api.person("Ada")
    media = upload(api, ada, data="héllo".encode(), content_type="text/plain; charset=utf-8")
    response = api.get(f"/media/{media['uuid']}", who=ada)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data().decode() == "héllo"


def test_a_stranger_is_told_the_media_does_not_exist(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    media = upload(api, ada)
    error(api.get(f"/media/{media['uuid']}", who=bob), 404)
    error(api.get(f"/media/{UNKNOWN}", who=ada), 404)
    error(api.get("/media/not-a-uuid", who=ada), 400, "uuid")


# --- visibility through what attaches it ----------------------------------------------------


def test_whoever_may_see_a_post_may_fetch_its_media(api):
    ada, bob = api.person("Ada"), api.person("Bob")
    public, followers = upload(api, ada)["uuid"], upload(api, ada)["uuid"]
    post(api, ada, public, scope="public")
    post(api, ada, followers, scope="followers")
    assert fetch_status(api, bob, public) == 200
    assert fetch_status(api, bob, followers) == 404
    assert api.put(f"/users/{ada.uuid}/follow", who=bob).status_code == 204
    assert fetch_status(api, bob, followers) == 200


def test_a_private_groups_post_media_is_for_its_members(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    group = new_group(api, ada, bob, private=True)
    media = upload(api, ada)["uuid"]
    post(api, ada, media, scope="group", group_uuid=group)
    assert fetch_status(api, bob, media) == 200
    assert fetch_status(api, cy, media) == 404


def test_whoever_may_see_a_message_may_fetch_its_media(api):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    group = new_group(api, ada, bob)
    direct, in_group = upload(api, ada)["uuid"], upload(api, ada)["uuid"]
    for body in (
        {"to_user": bob.uuid, "media": [direct]},
        {"to_group": group, "media": [in_group]},
    ):
        assert api.post("/messages", who=ada, json={"text": "see", **body}).status_code == 201
    assert (fetch_status(api, bob, direct), fetch_status(api, cy, direct)) == (200, 404)
    assert (fetch_status(api, bob, in_group), fetch_status(api, cy, in_group)) == (200, 404)
    api.settle()
    assert (fetch_status(api, bob, direct), fetch_status(api, cy, direct)) == (200, 404)


def test_media_of_a_message_found_only_in_the_archive(api, services):
    ada, bob, cy = api.person("Ada"), api.person("Bob"), api.person("Cy")
    media = upload(api, ada)["uuid"]
    message = Message(new_timeuuid(), ada.uuid, bob.uuid, None, "old", utcnow(), media=(media,))
    services.content.archive_message(message)
    services.content.attach_media(media, "message", message.uuid)
    assert (fetch_status(api, bob, media), fetch_status(api, cy, media)) == (200, 404)


# --- refusals -------------------------------------------------------------------------------


def test_bad_uploads_are_refused_and_store_nothing(api, services, bus_log):
    ada = api.person("Ada")
    blobs_before = stored_blobs(services)
    error(api.post("/media", who=ada, data=PNG), 400, "Content-Type")
    error(api.post("/media", who=ada, data=PNG, content_type="not a type"), 400, "Content-Type")
    error(api.post("/media", who=ada, data=b"", content_type="image/png"), 400, "body")
    too_big = b"\0" * (services.settings.max_media_bytes + 1)
    error(api.post("/media", who=ada, data=too_big, content_type="image/png"), 413)
    assert bus_log.events("media.uploaded", ada.uuid) == []
    assert stored_blobs(services) == blobs_before


def test_media_needs_a_live_token(api, bus_log):
    ada = api.person("Ada")
    media = upload(api, ada)["uuid"]
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        error(api.post("/media", data=PNG, content_type="image/png", headers=headers), 401)
        error(api.get(f"/media/{media}", headers=headers), 401)
    assert api.post("/auth/logout", who=ada).status_code == 204
    error(api.post("/media", who=ada, data=PNG, content_type="image/png"), 401)
    error(api.get(f"/media/{media}", who=ada), 401)
    assert len(bus_log.events("media.uploaded", ada.uuid)) == 1


def new_group(api, admin, *members, **options) -> str:
    return _group_of(api, admin, *members, **{"private": False, **options})
