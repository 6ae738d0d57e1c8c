"""Outages of embedded backends, for real: an adapter's SQLite file made unopenable."""

from __future__ import annotations

import contextlib
from pathlib import Path


@contextlib.contextmanager
def unopenable(engine, database: Path):
    """While the block runs, `database` cannot be opened (a directory stands where the file
    was) and `engine` holds no open connection: every call fails as on a lost disk."""
    engine.dispose()
    away = database.with_name(database.name + ".away")
    database.rename(away)
    database.mkdir()
    try:
        yield
    finally:
        engine.dispose()
        database.rmdir()
        away.rename(database)
