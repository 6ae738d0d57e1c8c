"""Access logs without secrets: browsers open the stream with `?token=`, and a server's
access log writes the whole request line. ScrubTokens rewrites any `token=` query value to
`***` before a record is written; `install()` puts it on the access loggers we run under."""

from __future__ import annotations

import logging
import re

TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"']+")
# uvicorn writes a WebSocket's request line to uvicorn.error
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "uvicorn.access", "uvicorn.error")


class ScrubTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = TOKEN_IN_QUERY.sub(r"\1***", message), None
        return True


def install() -> None:
    """Idempotent: each access logger gets one ScrubTokens."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubTokens) for f in logger.filters):
            logger.addFilter(ScrubTokens())
