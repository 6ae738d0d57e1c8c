"""FolderBlobs: media bytes as files in a local folder — the embedded blobs adapter.

URL: file:///abs/folder (created on open). A key "media/<uuid>" is the file
<folder>/media/<uuid>. Writes are atomic: the bytes go to a temporary file beside
the target, are fsynced, then os.replace()d over it, so a reader sees the old bytes
or the new ones, never half. Limits: the content type is not kept (S3 keeps it);
one machine only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from shared.adapters.blobs import check_key
from shared.errors import Invalid, NotFound, Unavailable


class FolderBlobs:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> FolderBlobs:
        # embedded: no network; it waits only for its own file locks (its busy timeout)
        parts = urlsplit(url)
        host = "" if parts.netloc in ("", "localhost") else parts.netloc
        if not (host or parts.path):
            raise Invalid(f"blobs: no folder in {url!r}; use file:///abs/folder", field="blobs_url")
        return cls(Path(unquote(host + parts.path)))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as exc:
            raise Unavailable(f"blobs: cannot write {key}: {exc.strerror or exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise NotFound(f"no blob {key}") from exc
        except OSError as exc:
            raise Unavailable(f"blobs: cannot read {key}: {exc.strerror or exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except (NotADirectoryError, IsADirectoryError):
            return  # nothing stored under that key
        except OSError as exc:
            raise Unavailable(f"blobs: cannot delete {key}: {exc.strerror or exc}") from exc

    def health(self) -> None:
        if not (self.folder.is_dir() and os.access(self.folder, os.W_OK)):
            raise Unavailable(f"blobs: folder {self.folder} is missing or read-only")

    def close(self) -> None:
        pass

    def _path(self, key: str) -> Path:
        path = self.folder / check_key(key)
        # check_key already forbids "..": this guards against a symlinked escape too
        if not path.resolve().is_relative_to(self.folder):
            raise Invalid(f"bad blob key {key!r}: outside the blob folder", field="key")
        return path


def _write_atomically(target: Path, data: bytes) -> None:
    # the temporary name starts with "." so it can never be a valid key
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
