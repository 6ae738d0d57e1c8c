"""EmbeddedServer: the fakeredis server behind `fakeredis:///path/live.snapshot`, kept on disk.

fakeredis holds its data in memory, but the dev emulator must lose nothing on restart
(live-only messages and unexpired sessions included). So a server is loaded from its
snapshot file when first opened in a process, then saved atomically (temp file +
os.replace) about once a second while it changes — less often once a save takes longer
than a tenth of that, so saving takes at most about a tenth of the process's time — and
when its last adapter closes.

The snapshot lists every key as DUMP bytes with its absolute expiry time: RESTORE
brings each key back with the time it had left, and what expired while the process was
down stays gone. DUMP bytes are fakeredis's own encoding, so a snapshot is read by the
fakeredis that wrote it; a key another version cannot restore is logged and skipped.
`fakeredis://` with no path is a purely in-memory server.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from pathlib import Path

import fakeredis
import redis

log = logging.getLogger(__name__)
SAVE_EVERY = 1.0  # seconds: what a crash (not a clean close) may lose, while the store is small
SAVE_SHARE = 0.1  # at most this share of the time goes to saving: a big store saves less often
SAVE_BATCH = 1000  # keys scanned, and dumped in one pipeline, at a time

_OPEN: dict[str, EmbeddedServer] = {}
_OPEN_LOCK = threading.Lock()


class EmbeddedServer:
    """One fakeredis server per snapshot path per process, shared by every adapter on it."""

    def __init__(self, path: str) -> None:
        self.key = path
        self.path = Path(path) if path else None
        self.server = fakeredis.FakeServer()
        self._client = fakeredis.FakeRedis(server=self.server)
        self._users = 0
        self._dirty = False
        self._save_lock = threading.Lock()
        self._stop = threading.Event()
        self._saver = threading.Thread(target=self._save_while_open, daemon=True)

    @classmethod
    def open(cls, path: str) -> EmbeddedServer:
        with _OPEN_LOCK:
            embedded = _OPEN.get(path)
            if embedded is None:
                embedded = _OPEN[path] = cls(path)
                embedded.load()
                embedded._saver.start()
            embedded._users += 1
            return embedded

    def release(self) -> None:
        """One adapter is done; the last one out saves and forgets the server."""
        with _OPEN_LOCK:
            self._users -= 1
            if self._users > 0:
                return
            del _OPEN[self.key]
        self._stop.set()
        self._saver.join()
        self.save()

    def touch(self) -> None:
        self._dirty = True

    def _save_while_open(self) -> None:
        pause = SAVE_EVERY
        while not self._stop.wait(pause):
            if self._dirty:
                began = time.monotonic()
                try:
                    self.save()
                except OSError:
                    log.exception("saving the live snapshot %s", self.path)
                # a save holds the interpreter for as long as the store is big: space them
                # out so that serving requests keeps at least 1 - SAVE_SHARE of the time
                pause = max(SAVE_EVERY, (time.monotonic() - began) / SAVE_SHARE)

    def save(self) -> None:
        if self.path is None:
            return
        with self._save_lock:
            self._dirty = False  # a write during the scan sets it again: saved next round
            keys = list(self._client.scan_iter(count=SAVE_BATCH))
            entries = []
            for start in range(0, len(keys), SAVE_BATCH):
                entries += self._entries(keys[start : start + SAVE_BATCH])
            self._write({"format": 1, "saved_at_ms": _now_ms(), "keys": entries})

    def _entries(self, keys: list[bytes]) -> list[dict]:
        """The keys' DUMP bytes and expiry, asked in one pipeline (a round trip each was
        most of a save's time)."""
        with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.dump(key)
                pipe.pttl(key)
            answers = pipe.execute()
        now = _now_ms()
        return [
            {
                "key": _b64(key),
                "dump": _b64(dumped),
                "expires_at_ms": now + ttl if ttl >= 0 else None,
            }
            for key, dumped, ttl in zip(keys, answers[::2], answers[1::2], strict=True)
            if dumped is not None and ttl != -2  # expired between SCAN and DUMP
        ]

    def _write(self, snapshot: dict) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(snapshot, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)

    def load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        snapshot = json.loads(self.path.read_text(encoding="utf-8"))
        now = _now_ms()
        for entry in snapshot["keys"]:
            expires_at = entry["expires_at_ms"]
            if expires_at is not None and expires_at <= now:
                continue
            ttl = 0 if expires_at is None else expires_at - now
            key = base64.b64decode(entry["key"])
            try:
                self._client.restore(key, ttl, base64.b64decode(entry["dump"]), replace=True)
            except redis.ResponseError as exc:
                log.warning("live snapshot %s: cannot restore %r: %s", self.path, key, exc)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _now_ms() -> int:
    return int(time.time() * 1000)
