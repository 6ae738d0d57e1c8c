"""mail: the letters Townsquare sends people (password reset today)."""

from __future__ import annotations

from typing import Protocol


class Mail(Protocol):
    def send(self, to: str, subject: str, text: str) -> None:
        """Hand one plain-text letter to the mail system; Unavailable if it cannot take it."""

    def health(self) -> None: ...
    def close(self) -> None: ...
