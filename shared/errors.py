"""The errors every port and function raises, whatever the backend.

Adapters translate driver exceptions into these; triggers translate these into a
transport's answer (an HTTP status, an MQTT dead letter, a Kafka retry).
"""

from __future__ import annotations


class TownsquareError(Exception):
    """Base: carries a stable machine `code`, the HTTP `status` it maps to and the `field` at fault."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    @property
    def public(self) -> str:
        """What a client is told (the message, unless it is for the log only)."""
        return self.message

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.public}
        if self.field:
            body["field"] = self.field
        return body


class Invalid(TownsquareError):
    code, status = "invalid", 400


class Unauthorized(TownsquareError):
    code, status = "unauthorized", 401


class Forbidden(TownsquareError):
    code, status = "forbidden", 403


class NotFound(TownsquareError):
    code, status = "not_found", 404


class Conflict(TownsquareError):
    code, status = "conflict", 409


class TooLarge(TownsquareError):
    code, status = "too_large", 413


class RateLimited(TownsquareError):
    code, status = "rate_limited", 429

    def __init__(self, message: str, *, retry_after: int = 1, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Unavailable(TownsquareError):
    """A backend is down or timed out: retry later (HTTP 503 with Retry-After).

    Its message is for the log: adapters put addresses and driver errors in it, so
    clients are told `public` instead."""

    code, status = "unavailable", 503

    def __init__(self, message: str, *, retry_after: int = 2, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after

    @property
    def public(self) -> str:
        return "a service Townsquare needs is unavailable; retry shortly"


class Busy(Unavailable):
    """Townsquare itself is at capacity (503 with Retry-After); the message says what to do."""

    code = "busy"

    @property
    def public(self) -> str:
        return self.message
