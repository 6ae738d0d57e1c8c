"""media: upload bytes, fetch them back — only for those allowed to see them.

The bytes go to blobs under `media/<uuid>`; content keeps the pointer (records.Media).
Posts and messages attach media by uuid; access.py decides who may fetch it.
Fetched bytes are served with `nosniff` and a sandboxing CSP, so an uploaded HTML or
SVG file cannot run script in the API's origin.
"""

from __future__ import annotations

import re

from functions.http import Request, Response
from functions.media.access import visible_media
from functions.registry import app
from shared.context import Context
from shared.errors import Invalid, TooLarge
from shared.records import Media, new_uuid

CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;.*)?$")
MAX_CONTENT_TYPE = 200
SERVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=3600",
}


@app.route(
    "POST",
    "/media",
    status=201,
    raw_body=True,
    summary="Upload media (raw bytes, Content-Type set)",
)
def upload_media(req: Request, ctx: Context) -> dict:
    content_type = _content_type(req.content_type)
    data = req.raw
    if len(data) > ctx.settings.max_media_bytes:
        raise TooLarge(f"media may be at most {ctx.settings.max_media_bytes} bytes", field="body")
    if not data:
        raise Invalid("the body is empty: send the media's bytes", field="body")
    uuid = new_uuid()
    media = Media(
        uuid=uuid,
        owner_uuid=ctx.me.uuid,
        content_type=content_type,
        size=len(data),
        blob_key=f"media/{uuid}",
        created_at=ctx.clock(),
    )
    ctx.blobs.put(media.blob_key, data, content_type)
    ctx.content.put_media(media)
    ctx.emit("media.uploaded", uuid, media.as_json())
    return {"media": media.as_json()}


@app.route("GET", "/media/{uuid}", summary="The bytes of a media item you may see")
def download_media(req: Request, ctx: Context) -> Response:
    media = visible_media(req.params["uuid"], ctx)
    data = ctx.blobs.get(media.blob_key)
    return Response(raw=data, content_type=media.content_type, headers=dict(SERVE_HEADERS))


def _content_type(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("set the Content-Type header to the media's type", field="Content-Type")
    if len(value) > MAX_CONTENT_TYPE or not CONTENT_TYPE.match(value):
        raise Invalid("Content-Type must look like type/subtype", field="Content-Type")
    return value
