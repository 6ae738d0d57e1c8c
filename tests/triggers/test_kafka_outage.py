"""A Kafka outage never blocks a chat send: the bus's durable outbox keeps every event, and
relays it once Kafka is back, even from a restarted process.

Kafka is a private instance (stack/private.py) on ports of its own, killed and started
again here; the other backends are the stack's real servers.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from functions.registry import load
from shared.context import Services
from shared.ports.bus import EVENTS
from shared.records import conversation_of
from shared.settings import Settings
from stack.private import PrivateStack, kill
from stack.servers import Kafka
from tests.conftest import RUN, Api, real_overrides
from triggers.http import create_app
from triggers.kafka import EventDispatcher

pytestmark = [pytest.mark.real, pytest.mark.slow, pytest.mark.timeout(300)]
OFFSET = int(os.environ.get("TOWNSQUARE_OUTAGE_PORT_OFFSET", "340"))
SENT = 5


@pytest.fixture(scope="module")
def kafka():
    home = Path(tempfile.mkdtemp(prefix="townsquare-outbox-"))
    stack = PrivateStack(home, OFFSET, [Kafka], kafka={"heap": "-Xmx384m"})
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(home, ignore_errors=True)


def townsquare(settings: Settings) -> tuple[Services, Api]:
    services = Services(settings)
    return services, Api(create_app(services).test_client(), EventDispatcher(services, load()))


def emptied(services: Services, within: float = 120.0) -> int:
    """Wait for the relay to hand the outbox to Kafka; what is left."""
    deadline = time.monotonic() + within
    while services.bus.backlog() and time.monotonic() < deadline:
        time.sleep(0.1)
    return services.bus.backlog()


def test_sends_during_an_outage_are_201_and_arrive_archived_once_after_a_restart(kafka, tmp_path):
    overrides = {k: v for k, v in real_overrides().items() if k != "mqtt_url"}
    overrides |= kafka.urls()  # bus_url: the private Kafka
    overrides["event_group_prefix"] = f"townsquare.outbox-{RUN}.fn."
    settings = Settings(data_dir=tmp_path, _env_file=None, **overrides)
    services, api = townsquare(settings)
    ada, bob = api.person("Ada"), api.person("Bob")
    api.settle()

    kill(kafka["kafka"], signal.SIGKILL)
    sent = []
    for n in range(SENT):
        answer = api.post("/messages", ada, json={"to_user": bob.uuid, "text": f"outage {n}"})
        assert answer.status_code == 201, answer.get_json()
        sent.append(answer.get_json()["message"]["uuid"])
    assert services.bus.backlog() >= SENT  # on disk, waiting for Kafka
    api.events.close()
    services.close()  # the process goes away while Kafka is down

    kafka.restart("kafka")
    services, api = townsquare(settings)  # a new process on the same data_dir
    assert emptied(services) == 0
    # the old process's members never left (Kafka was down): until their sessions expire
    # they hold some partitions, so keep polling every group (a poll is what learns of the
    # rebalance) until the archive has done all
    archive = settings.event_group("messages.archive_message")
    deadline = time.monotonic() + 120
    while services.bus.lag(archive) and time.monotonic() < deadline:
        api.events.run_once(timeout=0.5)
    assert services.bus.lag(archive) == 0
    created = [
        d.event["subject"]
        for d in services.bus.history(EVENTS)
        if d.event is not None and d.event["type"] == "message.created"
    ]
    assert sorted(created) == sorted(sent)  # each on the log once
    conversation = conversation_of(ada.uuid, bob.uuid, None)
    archived = services.content.archived_messages(conversation, before=None, limit=50)
    assert sorted(m.uuid for m in archived) == sorted(sent)  # archived, once each
    api.events.close()
    services.close()
