"""The mail contract: the console adapter (embedded: letters to the log) and SMTP (real: the
stack's aiosmtpd, letters read back from its Maildir). A letter sent is a letter received,
whole; an unreachable server is Unavailable."""

from __future__ import annotations

import logging
import socket
import uuid

import pytest

from shared.backends import open_port
from shared.errors import Unavailable
from tests.contract.conftest import backend_params, open_adapter
from tests.mailbox import letters as mail_letters


@pytest.fixture(params=backend_params("mail"))
def kind(request):
    return request.param


@pytest.fixture
def mail(kind, tmp_path):
    adapter = open_adapter("mail", kind, tmp_path)
    yield adapter
    adapter.close()


def test_a_letter_arrives_whole(kind, mail, caplog):
    marker = uuid.uuid4().hex
    caplog.set_level(logging.INFO, logger="townsquare.mail")
    mail.send("ada@example.org", f"Reset {marker}", "Héllo — line one\nline two\n")
    letters = mail_letters(kind != "embedded", caplog, marker)
    assert len(letters) == 1
    to, subject, body = letters[0]
    assert to == "ada@example.org" and subject == f"Reset {marker}"
    assert body.replace("\r\n", "\n").strip() == "Héllo — line one\nline two"


def test_health(mail):
    mail.health()


def test_an_unreachable_server_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mail = open_port("mail", f"smtp://127.0.0.1:{port}?from=t@example.org")
    with pytest.raises(Unavailable):
        mail.send("ada@example.org", "hi", "hi")
    with pytest.raises(Unavailable):
        mail.health()
