"""The letters Townsquare sent, read back from the mail backend that took them: the log
(console://, embedded) or the stack's SMTP server's Maildir (real)."""

from __future__ import annotations


def letters(real: bool, caplog, needle: str) -> list[tuple[str, str, str]]:
    """(to, subject, body) of every letter whose subject or body holds `needle`."""
    if not real:
        found = [
            (r.args[0], r.args[1], r.args[2]) for r in caplog.records if r.name == "townsquare.mail"
        ]
    else:
        from stack.servers.smtp import maildir

        found = [
            (letter["To"], letter["Subject"], letter.get_payload(decode=True).decode())
            for letter in maildir()
        ]
    return [letter for letter in found if needle in letter[1] or needle in letter[2]]
