"""blobs: media bytes by key. Records hold only the key."""

from __future__ import annotations

from typing import Protocol


class Blobs(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes:
        """NotFound if absent."""

    def delete(self, key: str) -> None: ...
    def health(self) -> None: ...
    def close(self) -> None: ...
