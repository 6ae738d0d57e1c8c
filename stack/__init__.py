"""The test stack: the real servers the project's tests use, on fixed loopback ports.

``python -m stack up | down | status | env`` (see ``stack.cli``).  ``URLS`` maps each
Townsquare port name to the URL of the server that backs it, e.g.
``from stack import URLS; URLS["accounts"]``.
"""

from __future__ import annotations

from .servers import ALL

URLS: dict[str, str] = {cls.port_name.lower(): cls.url for cls in ALL if cls.port_name}
"""Port name (accounts, content, live, bus, search, graph, blobs, mqtt, analytics) -> URL: the names of
shared.settings, so `Settings(**{f"{port}_url": url})` points the app at the stack."""

ENV: dict[str, str] = {f"TOWNSQUARE_{name.upper()}_URL": url for name, url in URLS.items()}
"""The environment variables that point the app at the stack."""

__all__ = ["URLS", "ENV"]
