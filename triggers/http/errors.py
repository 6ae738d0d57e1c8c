"""Every failure becomes the JSON error of docs/api.md: {"error": {"code", "message", "field"?}}.

Nothing is ever a 500: an exception no one translated is logged (logger
`townsquare.http`, message "unexpected error", with its traceback) and answered 503
(code "internal"). Nothing of the request is kept: the tests watch that log record.
"""

from __future__ import annotations

import logging

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from shared.errors import RateLimited, TownsquareError, Unavailable

log = logging.getLogger("townsquare.http")


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    return response


def to_response(exc: BaseException) -> Response:
    if isinstance(exc, TownsquareError):
        if exc.public != exc.message:
            log.warning("%s: %s", exc.code, exc.message)
        response = error_response(exc.status, exc.code, exc.public, exc.field)
        if isinstance(exc, RateLimited | Unavailable):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 400, code, exc.description or exc.name)
    log.exception("unexpected error", exc_info=exc)
    response = error_response(503, "internal", "the server hit an unexpected fault; retry later")
    response.headers["Retry-After"] = "5"
    return response
