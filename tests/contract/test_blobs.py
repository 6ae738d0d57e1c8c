"""The blobs contract: every adapter (a local folder embedded, S3 on moto real) passes it."""

from __future__ import annotations

import pytest

from shared.adapters.blobs.folder import FolderBlobs
from shared.backends import open_port
from shared.errors import Invalid, NotFound, Unavailable
from tests.contract.conftest import backend_params, open_adapter, unique

EVERY_BYTE = bytes(range(256)) * 4
BAD_KEYS = [
    "../escape",
    "media/../../etc/passwd",
    "/abs/path",
    ".hidden",
    "media//x",
    "",
    "a/",
    "a b",
]


@pytest.fixture(params=backend_params("blobs"))
def open_blobs(request, tmp_path):
    """Opens the adapter under test (again and again: the same folder or bucket each time)."""
    opened = []

    def open_():
        opened.append(open_adapter("blobs", request.param, tmp_path))
        return opened[-1]

    yield open_
    for adapter in opened:
        adapter.close()


@pytest.fixture
def blobs(open_blobs):
    return open_blobs()


def key() -> str:
    return f"media/{unique()}"


def test_bytes_read_back_exactly(blobs):
    name = key()
    blobs.put(name, EVERY_BYTE, "application/octet-stream")
    assert blobs.get(name) == EVERY_BYTE


def test_empty_and_large_blobs(blobs):
    empty, large = key(), key()
    blobs.put(empty, b"", "text/plain")
    blobs.put(large, EVERY_BYTE * 2048, "image/png")  # 2 MiB
    assert blobs.get(empty) == b""
    assert blobs.get(large) == EVERY_BYTE * 2048


def test_a_put_replaces_the_bytes(blobs):
    name = key()
    blobs.put(name, b"first", "text/plain")
    blobs.put(name, b"second", "text/plain")
    assert blobs.get(name) == b"second"


def test_a_missing_key_is_not_found(blobs):
    with pytest.raises(NotFound):
        blobs.get(key())


def test_delete_removes_and_tolerates_missing_keys(blobs):
    name, other = key(), key()
    blobs.put(name, b"bye", "text/plain")
    blobs.put(other, b"stay", "text/plain")
    blobs.delete(name)
    with pytest.raises(NotFound):
        blobs.get(name)
    blobs.delete(name)
    blobs.delete(key())
    assert blobs.get(other) == b"stay"


def test_a_plain_uuid_is_a_key_too(blobs):
    name = unique()
    blobs.put(name, b"flat", "text/plain")
    assert blobs.get(name) == b"flat"


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_keys_cannot_escape_or_hide(blobs, bad):
    with pytest.raises(Invalid) as refused:
        blobs.put(bad, b"x", "text/plain")
    assert refused.value.field == "key"
    with pytest.raises(Invalid):
        blobs.get(bad)
    with pytest.raises(Invalid):
        blobs.delete(bad)


def test_what_is_written_survives_a_reopen(open_blobs):
    first = open_blobs()
    name = key()
    first.put(name, b"kept", "text/plain")
    first.close()
    assert open_blobs().get(name) == b"kept"


def test_health_passes_on_a_working_store(blobs):
    blobs.health()


def test_an_unreachable_s3_is_unavailable():
    with pytest.raises(Unavailable):
        open_port("blobs", "s3://townsquare-media?endpoint=http://127.0.0.1:1")


def test_the_folder_holds_one_file_per_key_and_no_leftovers(tmp_path):
    blobs = FolderBlobs.from_url(f"file://{tmp_path}/blobs")
    name = key()
    blobs.put(name, b"one", "text/plain")
    blobs.put(name, b"two", "text/plain")
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [tmp_path / "blobs" / name]


def test_a_symlink_cannot_lead_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    blobs = FolderBlobs.from_url(f"file://{tmp_path}/blobs")
    (tmp_path / "blobs" / "media").symlink_to(outside)
    with pytest.raises(Invalid):
        blobs.get("media/secret")
