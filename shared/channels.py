"""The live store's pub/sub channels: every name in one place, for publishers and the stream.

- `user:<uuid>`: what one person's sockets receive (direct messages, post pushes, and
  control events about that person, e.g. a group joined or left).
- `group:<uuid>`: a group's messages, published once per message; each stream process
  delivers them to its own sockets of members.
- `session:<token hash>`: a session's end (logout, password change, revocation).
- `operators`: anomaly flags for operators' sockets.
"""

from __future__ import annotations

OPERATORS = "operators"


def user(uuid: str) -> str:
    return f"user:{uuid}"


def group(uuid: str) -> str:
    return f"group:{uuid}"


def session(token_hash: str) -> str:
    return f"session:{token_hash}"
