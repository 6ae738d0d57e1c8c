"""The one wiring point: bootstrap(settings) -> Services, and the per-call Context.

Services holds one adapter per port, built lazily on first use so that a function
that needs only `accounts` never connects to Kafka. `bootstrap()` is cached per
settings object for warm starts; nothing connects at import time.

Each port has a circuit breaker (shared.breakers): the adapter is handed out wrapped,
so a port whose backend keeps failing answers Unavailable at once (503 with Retry-After)
instead of every call waiting for its driver's timeout. Opening the adapter counts too.

A function is handed a Context: the ports, a clock, a logger, the settings, and the
caller's identity. `ctx.emit(...)` publishes a domain event on the bus.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from shared.backends import describe, open_port
from shared.breakers import UNAVAILABLE, Guarded, PortBreaker
from shared.errors import TownsquareError, Unauthorized
from shared.events import make_event
from shared.livestats import Tally
from shared.ports import Accounts, Blobs, Bus, Content, Graph, Live, Mail, Search
from shared.records import User, utcnow
from shared.settings import PORTS, Settings


class Services:
    """One adapter per port, opened on first use and shared by every call."""

    def __init__(self, settings: Settings, overrides: dict | None = None) -> None:
        self.settings = settings
        self.breakers = {
            name: PortBreaker(
                name,
                failures=settings.breaker_failures,
                reset_after=settings.breaker_reset_seconds,
            )
            for name in PORTS
        }
        self._open: dict[str, Any] = {
            name: Guarded(adapter, self.breakers[name])
            for name, adapter in (overrides or {}).items()
        }
        self._lock = threading.Lock()
        self.tally = Tally(lambda: self.live)  # invocation metrics, written once a second

    def port(self, name: str):
        """The port's adapter, behind its breaker; opened on first use."""
        adapter = self._open.get(name)
        if adapter is None:
            breaker = self.breakers[name]
            breaker.check()
            with self._lock:
                adapter = self._open.get(name)
                if adapter is None:
                    timeout = self.settings.timeout(name)
                    opened = breaker.call(open_port, name, self.settings.url(name), timeout=timeout)
                    adapter = self._open[name] = Guarded(opened, breaker)
        return adapter

    @property
    def accounts(self) -> Accounts:
        return self.port("accounts")

    @property
    def content(self) -> Content:
        return self.port("content")

    @property
    def live(self) -> Live:
        return self.port("live")

    @property
    def bus(self) -> Bus:
        return self.port("bus")

    @property
    def search(self) -> Search:
        return self.port("search")

    @property
    def graph(self) -> Graph:
        return self.port("graph")

    @property
    def blobs(self) -> Blobs:
        return self.port("blobs")

    @property
    def mail(self) -> Mail:
        return self.port("mail")

    def health(self) -> dict[str, str]:
        """{port: "ok" | "unavailable"} for every port: "unavailable" while its breaker is
        open (without asking the backend) or when its health check fails. The reason goes
        to the log only: the health answer is public, and a driver's error text names
        hosts and versions."""
        report = {}
        for name in PORTS:
            try:
                self.port(name).health()
                report[name] = self.breakers[name].health
            except (TownsquareError, OSError, RuntimeError) as exc:
                logging.getLogger(__name__).warning("%s unavailable: %s", name, exc)
                report[name] = UNAVAILABLE
        return report

    def describe(self) -> dict[str, str]:
        return {name: describe(name, self.settings.url(name)) for name in PORTS}

    def close(self) -> None:
        self.tally.close()
        for adapter in list(self._open.values()):
            try:
                adapter.close()
            except Exception:  # closing must not mask the reason we are shutting down
                logging.getLogger(__name__).exception("closing %r", adapter)
        self._open.clear()


_warm: dict[str, Services] = {}
_warm_lock = threading.Lock()


def bootstrap(settings: Settings) -> Services:
    """The Services for these settings, built once per process and reused by warm calls."""
    key = settings.model_dump_json()
    with _warm_lock:
        if key not in _warm:
            _warm[key] = Services(settings)
        return _warm[key]


@dataclass(frozen=True)
class Context:
    services: Services
    caller: User | None = None
    token_hash: str | None = None
    clock: Callable[[], datetime] = utcnow
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("townsquare"))

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def accounts(self) -> Accounts:
        return self.services.accounts

    @property
    def content(self) -> Content:
        return self.services.content

    @property
    def live(self) -> Live:
        return self.services.live

    @property
    def bus(self) -> Bus:
        return self.services.bus

    @property
    def search(self) -> Search:
        return self.services.search

    @property
    def graph(self) -> Graph:
        return self.services.graph

    @property
    def blobs(self) -> Blobs:
        return self.services.blobs

    @property
    def mail(self) -> Mail:
        return self.services.mail

    def as_caller(self, user: User | None, token_hash: str | None = None) -> Context:
        return replace(self, caller=user, token_hash=token_hash)

    @property
    def me(self) -> User:
        """The caller; Unauthorized when the call carries no identity."""
        if self.caller is None:
            raise Unauthorized("this call needs a bearer token")
        return self.caller

    def emit(self, type: str, subject: str, data: dict, *, key: str | None = None) -> None:
        """Publish a domain event; `key` (default: subject) keeps one entity's events in order."""
        self.bus.publish(make_event(type, subject, data), key=key or subject)
