"""ConsoleMail: letters are written to the log (logger `townsquare.mail`) instead of sent.

URL: `console://` — the default, so `townsquare dev` shows a reset link right in its
output. Nothing leaves the machine.
"""

from __future__ import annotations

import logging

log = logging.getLogger("townsquare.mail")


class ConsoleMail:
    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> ConsoleMail:
        # letters go to the log: nothing to wait for
        return cls()

    def send(self, to: str, subject: str, text: str) -> None:
        log.info("mail to %s — %s\n%s", to, subject, text)

    def health(self) -> None:
        return None

    def close(self) -> None:
        return None
