"""One Settings object, built once from the environment.

Precedence, highest first:
  1. keyword arguments to Settings(...) (what `townsquare dev --data DIR` passes);
  2. environment variables TOWNSQUARE_<NAME> (TOWNSQUARE_ACCOUNTS_URL, ...);
  3. a `.env` file in the working directory, same names;
  4. the defaults below: every port embedded, under `data_dir`.
Nothing here connects to anything.

Configuration that cannot work is refused when Settings is built (pydantic validation:
argon2 costs below the library's minimum, zero or negative limits, a URL scheme no
adapter serves, a live-message ttl shorter than the archival sweep's look-back), and
`load()` turns that refusal into one clear message per setting, named as its
environment variable, for the commands to stop with at start-up.
"""

from __future__ import annotations

from pathlib import Path

from argon2.low_level import lib
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.backends import ACCOUNTS_TIMEOUT, DEFAULT_TIMEOUT, LIVE_TIMEOUT, check_scheme

PORTS = ("accounts", "content", "live", "bus", "search", "graph", "blobs", "mail")
ENV_PREFIX = "TOWNSQUARE_"

ARGON2_MIN_TIME, ARGON2_MIN_LANES = int(lib.ARGON2_MIN_TIME), int(lib.ARGON2_MIN_LANES)
ARGON2_MAX_LANES = int(lib.ARGON2_MAX_LANES)
ARGON2_KIB_PER_LANE = int(lib.ARGON2_SYNC_POINTS) * 2  # argon2: memory >= 8 KiB per lane
ARGON2_MAX_KIB = min(int(lib.ARGON2_MAX_MEMORY), 2**32 - 1)
BACKEND_TIMEOUT = """seconds any call to a networked store (Cassandra, OpenSearch, Neo4j, S3,
SMTP) may take, connecting included: above the slowest healthy call (a search
write that waits for its refresh, ~1 s), so only an outage reaches it"""
LIVE_TIMEOUT_IS = """seconds a call to the live store (Redis) may take: its commands take
microseconds and nearly every request makes one, so a stalled Redis must cost a request
under a second (at most two timeouts: a fresh connection's handshake is retried once)
before its breaker opens"""
ACCOUNTS_TIMEOUT_IS = """seconds a call to the accounts store (PostgreSQL) may wait for it: the
statement_timeout of every statement, and the client's bound on a connect (a frozen server
answers no connect and enforces no statement_timeout). Its calls are indexed reads and writes
of a few rows (milliseconds), so a stalled PostgreSQL must cost a request under a second
before its breaker opens; whole-table reads for workflows (backfill, the analytics
snapshot) have a bound of their own"""
ARCHIVE_LOOKBACK_SECONDS = 180
"""How far back the archival sweep (functions/messages/sweep.py) looks: a live message
must outlive it, or one whose event was lost expires before anything archives it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

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

    password_time_cost: int = Field(default=3, ge=ARGON2_MIN_TIME, description="argon2id passes")
    password_parallelism: int = Field(
        default=4,
        ge=ARGON2_MIN_LANES,
        le=ARGON2_MAX_LANES,
        description="argon2id lanes per hash (argon2-cffi's default)",
    )
    password_memory_kib: int = Field(
        default=65536,
        le=ARGON2_MAX_KIB,
        description="argon2id memory per hash; at least 8 KiB per lane",
    )
    token_ttl: int = Field(default=7 * 24 * 3600, ge=60, description="seconds a login token lives")
    message_ttl: int = Field(
        default=7 * 24 * 3600,
        gt=ARCHIVE_LOOKBACK_SECONDS,
        description="seconds a live message stays in live (longer than the archival "
        "sweep's look-back)",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="largest JSON body accepted")
    max_media_bytes: int = Field(
        default=10_000_000, ge=1, description="largest media upload accepted"
    )
    write_rate_per_minute: int = Field(default=600, ge=1, description="writes per user per minute")
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

    http_threads: int = Field(
        default=8,
        ge=1,
        le=1024,
        description="threads per server process running the HTTP functions (each request "
        "holds one while its backends answer; more than a few only add contention for the "
        "interpreter: bench B2 and B2s at concurrency 32 did better with 8 than with 32)",
    )

    backend_timeout: float = Field(DEFAULT_TIMEOUT, gt=0, le=60, description=BACKEND_TIMEOUT)
    live_timeout: float = Field(LIVE_TIMEOUT, gt=0, le=60, description=LIVE_TIMEOUT_IS)
    accounts_timeout: float = Field(ACCOUNTS_TIMEOUT, gt=0, le=60, description=ACCOUNTS_TIMEOUT_IS)
    breaker_failures: int = Field(
        default=5, ge=1, description="backend faults in a row that open a port's circuit breaker"
    )
    breaker_reset_seconds: float = Field(
        default=5.0,
        gt=0,
        description="seconds an open breaker answers 503 at once before letting a trial call "
        "through",
    )

    @field_validator("password_memory_kib")
    @classmethod
    def _argon2_memory(cls, memory_kib: int, info: ValidationInfo) -> int:
        lanes = info.data.get("password_parallelism", ARGON2_MIN_LANES)
        if memory_kib < ARGON2_KIB_PER_LANE * lanes:
            raise ValueError(
                f"argon2 needs at least {ARGON2_KIB_PER_LANE} KiB per lane: "
                f"{ARGON2_KIB_PER_LANE * lanes} KiB for password_parallelism={lanes}"
            )
        return memory_kib

    @field_validator(*(f"{port}_url" for port in PORTS))
    @classmethod
    def _known_scheme(cls, url: str, info: ValidationInfo) -> str:
        if url:
            check_scheme(str(info.field_name).removesuffix("_url"), url)
        return url

    @classmethod
    def load(cls, **values) -> Settings:
        """Settings(**values), or SystemExit naming each setting that cannot work."""
        try:
            return cls(**values)
        except ValidationError as error:
            raise SystemExit(refusal(error)) from None

    def timeout(self, port: str) -> float:
        """The bound on one call to `port`'s backend."""
        own = {"live": self.live_timeout, "accounts": self.accounts_timeout}
        return own.get(port, self.backend_timeout)

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


def refusal(error: ValidationError) -> str:
    """The message a command stops with: one line per setting, as its environment variable."""
    lines = ["townsquare: this configuration cannot work:"]
    for problem in error.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {ENV_PREFIX}{name}: {message}")  # not the value: it may be a secret
    return "\n".join(lines)
