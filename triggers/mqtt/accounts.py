"""The MQTT accounts of the embedded broker: `<data_dir>/mqtt-accounts.json`.

Each account is a username, a role (triggers/mqtt/policy.py) and the SHA-256 of its
secret. Secrets are generated here (32 random bytes, shown once when the account is
made) rather than chosen by people, so a fast hash is enough, exactly as for API tokens.
Managed with `townsquare mqtt add NAME --role chat|device`, `townsquare mqtt remove NAME`
and `townsquare mqtt list`; `townsquare mqtt acl` renders the same accounts as a Mosquitto
ACL for production. The functions account of a running `townsquare dev` is made in memory
at start, with a fresh secret, and never written here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from triggers.mqtt.policy import Account

ACCOUNTS_FILE = "mqtt-accounts.json"  # under the data folder


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountBook:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._accounts: dict[str, tuple[Account, str]] = {}
        self._in_memory: dict[str, tuple[Account, str]] = {}
        self._read_at: float | None = None
        self._refresh()

    def _refresh(self) -> None:
        """Re-read the file when it changed (`townsquare mqtt add` while a broker runs)."""
        if self.path is None or not self.path.exists():
            return
        changed_at = self.path.stat().st_mtime
        if changed_at == self._read_at:
            return
        entries = json.loads(self.path.read_text(encoding="utf-8"))
        self._accounts = {
            name: (Account(name, entry["role"]), entry["sha256"]) for name, entry in entries.items()
        }
        self._read_at = changed_at

    def add(self, username: str, role: str, *, in_memory: bool = False) -> str:
        """Make (or remake) an account; returns its new secret, which is stored only hashed.
        An `in_memory` account lives as long as this book and is never saved."""
        self._refresh()
        entry = (Account(username, role), _digest(secret := secrets.token_urlsafe(32)))
        (self._in_memory if in_memory else self._accounts)[username] = entry
        return secret

    def get(self, username: str | None) -> Account | None:
        self._refresh()
        entry = self._in_memory.get(username or "") or self._accounts.get(username or "")
        return entry[0] if entry else None

    def remove(self, username: str) -> bool:
        self._refresh()
        return self._accounts.pop(username, None) is not None

    def accounts(self) -> list[Account]:
        self._refresh()
        return [account for account, _ in (*self._accounts.values(), *self._in_memory.values())]

    def verify(self, username: str | None, secret: str | None) -> Account | None:
        """The account when `secret` is its secret; None otherwise (same time either way)."""
        self._refresh()
        name = username or ""
        entry = self._in_memory.get(name) or self._accounts.get(name)
        account, digest = entry or (None, "0" * 64)
        ok = hmac.compare_digest(digest, _digest(secret or ""))
        return account if ok and account is not None else None

    def save(self) -> None:
        """Write the book (owner-only), atomically."""
        assert self.path is not None, "an in-memory book is never saved"
        body = {a.username: {"role": a.role, "sha256": d} for a, d in self._accounts.values()}
        partial = self.path.with_suffix(".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(body, indent=2, sort_keys=True), encoding="utf-8")
        os.chmod(partial, 0o600)
        partial.replace(self.path)
