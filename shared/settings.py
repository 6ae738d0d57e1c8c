"""One Settings object, built once from the environment.

Precedence, highest first:
  1. keyword arguments to Settings(...) (what `townsquare dev --data DIR` passes);
  2. environment variables TOWNSQUARE_<NAME> (TOWNSQUARE_ACCOUNTS_URL, ...);
  3. a `.env` file in the working directory, same names;
  4. the defaults below: every port embedded, under `data_dir`.
Nothing here connects to anything.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PORTS = ("accounts", "content", "live", "bus", "search", "graph", "blobs", "mail")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOWNSQUARE_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".data")
    accounts_url: str = ""  # sqlite:///… | postgresql://…
    content_url: str = ""  # sqlite:///… | cassandra://host:port/keyspace
    live_url: str = ""  # fakeredis:///snapshot-file | redis://…
    bus_url: str = ""  # sqlite:///… | kafka://host:port
    search_url: str = ""  # sqlite:///… | opensearch://… | elasticsearch://…
    graph_url: str = ""  # sqlite:///… | bolt://…
    blobs_url: str = ""  # file:///folder | s3://bucket?endpoint=…
    mail_url: str = ""  # console:// (letters to the log) | smtp://host:port?from=…
    mqtt_url: str = ""  # empty: embedded broker in `townsquare dev`; mqtt://host:port otherwise
    analytics_url: str = ""  # Spark master: empty is local[*]; spark://host:port a cluster
    analytics_export_dir: str = ""  # the Parquet snapshot; empty is <data_dir>/analytics
    analytics_driver_memory: str = Field(
        default="1g", description="heap of the Spark driver (and local[*] executors)"
    )

    password_time_cost: int = Field(default=3, ge=1, description="argon2id passes")
    password_memory_kib: int = Field(default=65536, ge=8, description="argon2id memory per hash")
    token_ttl: int = Field(default=7 * 24 * 3600, description="seconds a login token lives")
    message_ttl: int = Field(
        default=7 * 24 * 3600, description="seconds a live message stays in live"
    )
    max_body_bytes: int = Field(default=1_000_000, description="largest JSON body accepted")
    max_media_bytes: int = Field(default=10_000_000, description="largest media upload accepted")
    write_rate_per_minute: int = Field(default=600, description="writes per user per minute")
    login_attempts_per_account: int = Field(
        default=10, ge=1, description="logins per account per login_window (any outcome)"
    )
    auth_attempts_per_address: int = Field(
        default=30, ge=1, description="logins and signups per network address per minute"
    )
    login_window: int = Field(default=900, ge=1, description="seconds of the per-account count")
    trusted_proxies: int = Field(
        default=0,
        ge=0,
        description="reverse proxies in front of the gateway whose X-Forwarded-For is believed "
        "(the per-address limits then see the client, not the proxy)",
    )
    password_hash_concurrency: int = Field(
        default=2, ge=1, description="argon2 hashes computed at once per process (memory bound)"
    )
    allowed_origins: str = Field(
        default="",
        description="comma-separated Origins (besides the server's own) whose pages may open "
        "a WebSocket stream; * for any",
    )
    metrics_token: str = Field(
        default="",
        description="bearer token a Prometheus scrape of /metrics must send; "
        "empty: only loopback callers may scrape (dev)",
    )
    cron_off: str = Field(
        default="",
        description="comma-separated functions (e.g. insights.compute_insights) whose schedules "
        "this process does not run; another process, or a PingSource, runs them",
    )
    event_group_prefix: str = Field(
        default="townsquare.fn.",
        description="each event function's consumer group is this prefix + its name; "
        "two deployments (or test runs) sharing one Kafka keep apart by their prefixes",
    )

    def event_group(self, function: str) -> str:
        """The consumer group of the event function named `function` (e.g. "posts.x")."""
        return f"{self.event_group_prefix}{function}"

    def url(self, port: str) -> str:
        """The URL configured for `port`, or the embedded default under data_dir."""
        explicit = getattr(self, f"{port}_url")
        data = self.data_dir.resolve()
        if port == "bus" and explicit.startswith("kafka") and "outbox=" not in explicit:
            # KafkaBus's durable outbox (shared/adapters/bus/outbox.py) lives with the data
            return f"{explicit}{'&' if '?' in explicit else '?'}outbox={data}/bus-outbox.db"
        if explicit:
            return explicit
        if port == "live":
            return f"fakeredis://{data}/live.snapshot"
        if port == "blobs":
            return f"file://{data}/blobs"
        if port == "mail":
            return "console://"
        return f"sqlite:///{data}/{port}.db"

    def spark_master(self) -> str:
        return self.analytics_url or "local[*]"

    def export_path(self) -> Path:
        return Path(self.analytics_export_dir or self.data_dir / "analytics").resolve()

    def urls(self) -> dict[str, str]:
        return {port: self.url(port) for port in PORTS}
