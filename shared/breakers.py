"""One circuit breaker per port, wrapped around its adapter at the wiring point (Services).

`Guarded(port, adapter, breaker)` stands in for the adapter: every public method call
goes through the port's breaker. A backend fault (Unavailable, or a connection-level
OSError an adapter let through) counts; Settings.breaker_failures faults in a row open
the breaker, and while it is open every call fails at once with Unavailable whose
`retry_after` is the seconds left until the breaker lets a trial call through
(half-open). One successful call closes it again. The caller's own mistakes (Invalid,
NotFound, Conflict ...) and Townsquare's own capacity limit (Busy) never count.

The breaker is `circuitbreaker` (fabfuel): it keeps no lock around the protected call, so
a port's calls from many threads stay concurrent (pybreaker holds its lock for the whole
call, serializing a port per process). Its counters are updated without a lock; a race
can miscount one failure, which only moves the trip by one call.
"""

from __future__ import annotations

import functools
from typing import Any

from circuitbreaker import STATE_OPEN, CircuitBreaker

from shared.errors import Busy, TownsquareError, Unavailable

OK, UNAVAILABLE = "ok", "unavailable"


def is_fault(exc_type: type[BaseException], exc: BaseException | None = None) -> bool:
    """True for a backend fault: what a breaker counts."""
    if issubclass(exc_type, Busy):
        return False
    if issubclass(exc_type, Unavailable):
        return True
    if issubclass(exc_type, TownsquareError):
        return False  # bad input, missing records, conflicts: the backend answered
    return issubclass(exc_type, OSError)  # ConnectionError, TimeoutError, socket errors


class PortBreaker(CircuitBreaker):
    """The breaker of one port."""

    def __init__(self, port: str, *, failures: int, reset_after: float) -> None:
        super().__init__(
            failure_threshold=failures,
            recovery_timeout=reset_after,
            expected_exception=is_fault,
            name=port,
        )

    def check(self) -> None:
        """Unavailable at once while the breaker is open."""
        if self.state == STATE_OPEN:
            raise Unavailable(
                f"{self.name}: circuit open after {self.failure_count} failures "
                f"(last: {self.last_failure!r})",
                retry_after=max(1, self.open_remaining),
            )

    @property
    def health(self) -> str:
        return UNAVAILABLE if self.state == STATE_OPEN else OK


class Guarded:
    """An adapter whose public methods run through its port's breaker.

    Attributes that are not methods, and close(), pass straight through."""

    def __init__(self, adapter: Any, breaker: PortBreaker) -> None:
        self._adapter = adapter
        self.breaker = breaker

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._adapter, name)
        if name.startswith("_") or name == "close" or not callable(attribute):
            return attribute
        breaker = self.breaker

        @functools.wraps(attribute)
        def guarded(*args, **kwargs):
            breaker.check()
            return breaker.call(attribute, *args, **kwargs)

        return guarded

    @property
    def adapter(self) -> Any:
        """The adapter itself, for code that must know its kind (tests, tools)."""
        return self._adapter

    def __repr__(self) -> str:
        return f"Guarded({self._adapter!r}, {self.breaker.health})"


def unguarded(adapter: Any) -> Any:
    """The adapter behind its breaker (or `adapter` itself when it has none)."""
    return adapter.adapter if isinstance(adapter, Guarded) else adapter
