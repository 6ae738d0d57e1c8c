"""SmtpMail: letters over SMTP with the standard library's smtplib.

URLs:
  smtp://[user:password@]host:port?from=townsquare@example.org          plain (loopback, relays)
  smtp+starttls://user:password@host:587?from=…                         STARTTLS
  smtps://user:password@host:465?from=…                                 implicit TLS
One connection per letter (letters are rare: resets), each step bounded by Settings.
backend_timeout; refused or
unreachable servers are Unavailable, so the caller can answer 503 and the person retry.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from shared.backends import DEFAULT_TIMEOUT
from shared.errors import Unavailable


class SmtpMail:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        tls: str = "",
        login=None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.host, self.port, self.sender, self.tls, self.login = host, port, sender, tls, login
        self.timeout = timeout

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> SmtpMail:
        parts = urlsplit(url)
        tls = {"smtps": "implicit", "smtp+starttls": "starttls"}.get(parts.scheme, "")
        login = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        sender = parse_qs(parts.query).get("from", ["townsquare@localhost"])[0]
        port = parts.port or {"implicit": 465, "starttls": 587}.get(tls, 25)
        host = parts.hostname or "127.0.0.1"
        return cls(host, port, sender=sender, tls=tls, login=login, timeout=timeout)

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "implicit":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, to: str, subject: str, text: str) -> None:
        letter = EmailMessage()
        letter["From"], letter["To"], letter["Subject"] = self.sender, to, subject
        letter.set_content(text)
        try:
            with self._connect() as client:
                if self.login:
                    client.login(*self.login)
                client.send_message(letter)
        except (OSError, smtplib.SMTPException) as exc:
            raise Unavailable(f"mail server unavailable: {type(exc).__name__}") from exc

    def health(self) -> None:
        try:
            with self._connect() as client:
                client.noop()
        except (OSError, smtplib.SMTPException) as exc:
            raise Unavailable(f"mail server unavailable: {type(exc).__name__}") from exc

    def close(self) -> None:
        return None
