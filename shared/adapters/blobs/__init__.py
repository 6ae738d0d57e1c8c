"""blobs adapters: FolderBlobs (file:///abs/folder) and S3Blobs (s3://bucket?endpoint=…).

Both accept the same keys: "/"-separated segments of letters, digits, ".", "_" and "-",
each starting with a letter or digit ("media/<uuid>"). So no key can climb out of its
folder ("..") or name a hidden or temporary file; anything else is Invalid(field="key").
"""

from __future__ import annotations

import re

from shared.errors import Invalid

MAX_KEY_LENGTH = 512
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise Invalid(f"bad blob key {key!r}: use segments like media/<uuid>", field="key")
    return key
