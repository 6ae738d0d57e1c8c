"""Where the stack keeps its files: the stack dir (data, logs, pids, configs) and the download cache.

The repository root is the parent of the ``stack`` package directory.  Both locations can be
overridden with ``TOWNSQUARE_STACK_DIR`` and ``TOWNSQUARE_CACHE_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def stack_dir() -> Path:
    """The directory holding each server's data, config, log and pid file."""
    return Path(os.environ.get("TOWNSQUARE_STACK_DIR") or REPO_ROOT / ".stack").resolve()


def cache_dir() -> Path:
    """The directory holding downloads (the Maven repository and resolved classpaths)."""
    return Path(os.environ.get("TOWNSQUARE_CACHE_DIR") or REPO_ROOT / ".cache").resolve()


def logs_dir() -> Path:
    path = stack_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pids_dir() -> Path:
    path = stack_dir() / "pids"
    path.mkdir(parents=True, exist_ok=True)
    return path


def server_dir(name: str) -> Path:
    """The per-server home under the stack dir (config and data live below it)."""
    path = stack_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
