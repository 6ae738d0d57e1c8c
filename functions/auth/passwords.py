"""Passwords: argon2id hashing under a per-process bound, and the strength rule.

argon2's memory cost (64 MiB by default) would let a crowd of anonymous requests exhaust
the box, so at most Settings.password_hash_concurrency hashes run at once per process
(Unavailable, 503 with Retry-After, past that). An unknown email is verified against a
stand-in hash of the same cost, so answer times do not tell which emails exist.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from shared.context import Context
from shared.errors import Busy

HASH_WAIT_SECONDS = 2.0
ZXCVBN_MAX = 100  # zxcvbn's time grows fast with length; the first 100 characters decide


@functools.cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(ctx: Context) -> PasswordHasher:
    """argon2id with the configured cost (hashes carry their parameters, so changing the
    cost keeps old hashes verifiable)."""
    settings = ctx.settings
    return _hasher(
        settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism
    )


@functools.cache
def _hashing_slots(concurrency: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(concurrency)


@contextlib.contextmanager
def hashing_slot(ctx: Context):
    """Hold one of the process's argon2 slots; Unavailable when none frees up in time."""
    slots = _hashing_slots(ctx.settings.password_hash_concurrency)
    if not slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise Busy("too many sign-ins at once; retry shortly", retry_after=1)
    try:
        yield
    finally:
        slots.release()


def hash_password(ctx: Context, password: str) -> str:
    with hashing_slot(ctx):
        return hasher(ctx).hash(password)


@functools.cache
def _stand_in_hash(hasher: PasswordHasher) -> str:
    """What an unknown email's password is checked against: same cost, never matches."""
    return hasher.hash(secrets.token_urlsafe(16))


def stand_in_hash(ctx: Context) -> str:
    return _stand_in_hash(hasher(ctx))


def password_matches(ctx: Context, stored: str, password: str) -> bool:
    with hashing_slot(ctx):
        try:
            return hasher(ctx).verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def check_password_strength(password: str, *personal: str) -> None:
    """NIST 800-63B: refuse passwords found in breach lists or otherwise easy to guess.
    zxcvbn scores a password against its lists of the most common passwords (from real
    breaches), words, names and keyboard patterns, and against the person's own email and
    name; scores 0 and 1 mean guessable with at most about a million tries."""
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=list(personal))["score"] < 2:
        raise ValueError(
            "this password is too common or too easy to guess; a few unrelated words work well"
        )
