"""One body of tests per port, parametrized over every adapter of that port.

`embedded` runs on the engine inside the process (SQLite, fakeredis, a folder);
`real` runs on the servers that `townsquare stack up` starts (marked `real`: a
missing server is a failure, never a skip).
"""

from __future__ import annotations

import uuid

import pytest

from shared.backends import open_port

EMBEDDED = {
    "accounts": "sqlite:///{tmp}/accounts.db",
    "content": "sqlite:///{tmp}/content.db",
    "live": "fakeredis://{tmp}/live.snapshot",
    "bus": "sqlite:///{tmp}/bus.db",
    "search": "sqlite:///{tmp}/search.db",
    "graph": "sqlite:///{tmp}/graph.db",
    "blobs": "file://{tmp}/blobs",
    "mail": "console://",
}
# extra real variants beyond the stack's one URL per port (search has two clients)
EXTRA_REAL: dict[str, list[str]] = {}


def backend_params(port: str) -> list:
    params = [
        pytest.param("embedded", id="embedded"),
        pytest.param("real", id="real", marks=pytest.mark.real),
    ]
    for url in EXTRA_REAL.get(port, []):
        params.append(pytest.param(url, id=url.split(":")[0], marks=pytest.mark.real))
    return params


def backend_url(port: str, kind: str, tmp_path) -> str:
    if kind == "embedded":
        return EMBEDDED[port].format(tmp=tmp_path)
    if kind == "real":
        from stack import URLS

        return URLS[port]
    return kind


def open_adapter(port: str, kind: str, tmp_path):
    return open_port(port, backend_url(port, kind, tmp_path))


def unique(prefix: str = "") -> str:
    """A fresh uuid, so tests on a shared real server never see each other's rows."""
    return prefix + str(uuid.uuid4())
