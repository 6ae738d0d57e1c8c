"""Adapters: one module per backend of each port, picked by URL scheme (see shared.backends)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

MEMORY = ":memory:"


def sqlite_path(url: str) -> str:
    """The file a sqlite URL names, SQLAlchemy's way, with its folder created.

    sqlite:////abs/x.db → /abs/x.db · sqlite:///rel.db → rel.db · sqlite:///:memory: → :memory:
    (and sqlite:// → :memory:). A query string is ignored.
    """
    path = urlsplit(url).path
    # the first slash only separates the authority from the path, as SQLAlchemy reads it
    path = path[1:] if path.startswith("/") else path
    if not path or path == MEMORY:
        return MEMORY
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path
