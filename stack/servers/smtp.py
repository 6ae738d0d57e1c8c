"""An SMTP server (aiosmtpd, from PyPI) on 127.0.0.1:11025 that keeps every letter in a
Maildir under the stack dir: the real mail backend of the tests, read back with `mailbox`.
"""

from __future__ import annotations

import mailbox
import smtplib
import sys
from importlib import metadata

from ..base import Server
from ..install import pip_install
from ..paths import HOST, server_dir


def maildir() -> mailbox.Maildir:
    return mailbox.Maildir(server_dir("smtp") / "Maildir", create=True)


class Smtp(Server):
    name = "smtp"
    port = 11025
    port_name = "MAIL"
    url = f"smtp://{HOST}:11025?from=townsquare@example.org"
    start_timeout = 30

    def install(self) -> None:
        pip_install("aiosmtpd", "aiosmtpd>=1.4")

    def command(self) -> list[str]:
        box = server_dir("smtp") / "Maildir"
        maildir()  # created before the server writes into it
        return [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{self.port}",
            "-c", "aiosmtpd.handlers.Mailbox", str(box),
        ]  # fmt: skip

    def ready(self) -> bool:
        with smtplib.SMTP(HOST, self.port, timeout=2) as client:
            return client.noop()[0] == 250

    def healthy(self) -> bool:
        return self.ready()

    def version(self) -> str:
        try:
            return "aiosmtpd " + metadata.version("aiosmtpd")
        except metadata.PackageNotFoundError:
            return "?"
