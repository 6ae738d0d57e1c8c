"""Pick an adapter by URL scheme, through one table of lazy imports.

Drivers are optional extras; a module is imported only when its scheme is used.
Each adapter class has `from_url(url: str, *, timeout: float) -> adapter`: `timeout` bounds
every call to a networked backend (its driver's connect, read and request timeouts);
embedded engines, which wait only for their own file locks, keep their busy timeouts.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any
from urllib.parse import urlsplit

BACKENDS: dict[str, dict[str, str]] = {
    "accounts": {
        "sqlite": "shared.adapters.accounts.sql:SqlAccounts",
        "postgresql": "shared.adapters.accounts.sql:SqlAccounts",
        "postgres": "shared.adapters.accounts.sql:SqlAccounts",
    },
    "content": {
        "sqlite": "shared.adapters.content.sqlite:SqliteContent",
        "cassandra": "shared.adapters.content.cassandra:CassandraContent",
    },
    "live": {
        "fakeredis": "shared.adapters.live.redis:RedisLive",
        "redis": "shared.adapters.live.redis:RedisLive",
    },
    "bus": {
        "sqlite": "shared.adapters.bus.sqlite:SqliteBus",
        "kafka": "shared.adapters.bus.kafka:KafkaBus",
    },
    "search": {
        "sqlite": "shared.adapters.search.fts5:Fts5Search",
        "opensearch": "shared.adapters.search.elastic:OpenSearchSearch",
        "elasticsearch": "shared.adapters.search.elastic:ElasticsearchSearch",
    },
    "graph": {
        "sqlite": "shared.adapters.graph.sqlite:SqliteGraph",
        "bolt": "shared.adapters.graph.neo4j:Neo4jGraph",
        "neo4j": "shared.adapters.graph.neo4j:Neo4jGraph",
    },
    "blobs": {
        "file": "shared.adapters.blobs.folder:FolderBlobs",
        "s3": "shared.adapters.blobs.s3:S3Blobs",
    },
    "mail": {
        "console": "shared.adapters.mail.console:ConsoleMail",
        "smtp": "shared.adapters.mail.smtp:SmtpMail",
        "smtps": "shared.adapters.mail.smtp:SmtpMail",
    },
}


class UnknownBackend(ValueError):
    pass


DEFAULT_TIMEOUT = 2.0  # seconds: Settings.backend_timeout's default
LIVE_TIMEOUT = 0.4  # seconds: Settings.live_timeout's default
ACCOUNTS_TIMEOUT = 0.5  # seconds: Settings.accounts_timeout's default


def check_scheme(port: str, url: str) -> str:
    """The adapter path ("module:Class") serving `port` at `url`; UnknownBackend if none."""
    if port not in BACKENDS:
        raise UnknownBackend(f"unknown port {port!r}; the ports are {', '.join(BACKENDS)}")
    scheme = urlsplit(url).scheme.split("+")[0]
    table = BACKENDS[port]
    if scheme not in table:
        close = difflib.get_close_matches(scheme, table, n=1)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        raise UnknownBackend(
            f"{port}: no backend for URL scheme {scheme!r} in {redact(url)!r}{hint} "
            f"Known schemes: {', '.join(sorted(table))}"
        )
    return table[scheme]


def adapter_class(port: str, url: str) -> Any:
    module_name, _, class_name = check_scheme(port, url).partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def open_port(port: str, url: str, *, timeout: float = DEFAULT_TIMEOUT):
    """Build the adapter serving `port` at `url` (connecting lazily where the driver allows),
    each backend call bounded by `timeout` seconds."""
    return adapter_class(port, url).from_url(url, timeout=timeout)


def describe(port: str, url: str) -> str:
    """'SqliteContent (sqlite:///…)' — what `townsquare dev` prints at start-up."""
    return f"{adapter_class(port, url).__name__} ({redact(url)})"


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
