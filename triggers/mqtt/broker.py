"""The embedded MQTT broker of `townsquare dev` (amqtt), in a thread of its own.

Used only when no broker is configured (TOWNSQUARE_MQTT_URL empty); production and the
real stack use Mosquitto (stack/servers/mosquitto.py, and mosquitto/ for the production
configuration). It enforces triggers/mqtt/policy.py, the same rules the production
Mosquitto ACL states: accounts from an AccountBook, client id = username, topic rules by
role, no retained messages, bounded packets.

Why CONNECT is checked before amqtt sees it: amqtt drops or takes over the session of
a client id before its authentication plugins run, so a client with a wrong password
could still knock the functions account's persistent session out. Here a CONNECT whose
credentials or client id fail the policy is answered and closed before any session work.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

from amqtt.adapters import ReaderAdapter, WriterAdapter
from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.mqtt.connack import BAD_USERNAME_PASSWORD, NOT_AUTHORIZED, ConnackPacket
from amqtt.mqtt.connect import ConnectPacket
from amqtt.session import Session

from triggers.mqtt.accounts import AccountBook
from triggers.mqtt.policy import MAX_PACKET_BYTES

log = logging.getLogger("townsquare.mqtt.broker")


class PolicedBroker(Broker):
    """amqtt's broker under Townsquare's MQTT policy (module docstring)."""

    def __init__(self, config: dict, book: AccountBook, **kw) -> None:
        super().__init__(config, **kw)
        self.book = book

    async def _client_connected(
        self, listener_name: str, reader: ReaderAdapter, writer: WriterAdapter
    ) -> None:
        rewindable = _Rewindable(reader)
        try:
            connect = await ConnectPacket.from_stream(rewindable)
        except Exception:  # not MQTT, or cut short: nothing to answer
            await writer.close()
            return
        account = self.book.verify(connect.username, connect.password)
        refusal = None
        if account is None:
            refusal = BAD_USERNAME_PASSWORD
        elif not account.may_connect_as(connect.client_id or ""):
            refusal = NOT_AUTHORIZED
        if refusal is not None:
            log.warning("MQTT connection refused for client id %r", connect.client_id)
            await ConnackPacket.build(0, refusal).to_stream(writer)
            await writer.close()
            return
        rewindable.rewind()
        await super()._client_connected(listener_name, rewindable, writer)

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        account = self.book.get(session.username)
        if account is None:
            return False
        if action == Action.PUBLISH:
            return account.may_publish(topic)
        if action == Action.SUBSCRIBE:
            return account.may_subscribe(topic)
        return account.may_subscribe(topic)  # RECEIVE: only what it may subscribe to

    async def retain_message(self, source_session, topic_name, data, qos=None) -> None:
        if source_session is not None:  # a client's retain flag: refused, never stored
            log.info("retained message on %s refused", topic_name)
            return
        await super().retain_message(source_session, topic_name, data, qos)


class _Rewindable(ReaderAdapter):
    """Reads through to `inner`, remembering what it read until rewind(), then replays it.
    A read longer than MAX_PACKET_BYTES (a packet's body is read in one go) ends the
    connection: from then on the reader is at its end, which amqtt treats as a disconnect."""

    def __init__(self, inner: ReaderAdapter) -> None:
        self.inner = inner
        self.seen: bytearray | None = bytearray()
        self.replay = bytearray()
        self.refused = False

    async def read(self, n: int = -1) -> bytes:
        if self.refused or n > MAX_PACKET_BYTES:
            if not self.refused:
                log.warning("MQTT packet larger than %d bytes refused", MAX_PACKET_BYTES)
            self.refused = True
            return b""
        if self.replay:
            chunk = bytes(self.replay if n < 0 else self.replay[:n])
            del self.replay[: len(chunk)]
            return chunk
        data = await self.inner.read(n)
        if self.seen is not None:
            self.seen += data
        return data

    def rewind(self) -> None:
        self.replay, self.seen = self.seen or bytearray(), None

    def feed_eof(self) -> None:
        self.inner.feed_eof()


class EmbeddedBroker:
    def __init__(self, book: AccountBook, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.book = book
        self.host, self.port = host, port or _free_port(host)
        self._loop = asyncio.new_event_loop()
        self._broker: Broker | None = None
        self._thread = threading.Thread(
            target=self._run, name="townsquare-mqtt-broker", daemon=True
        )
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded MQTT broker did not start in time")
        if self._error:
            raise RuntimeError(f"the embedded MQTT broker failed: {self._error}") from self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            # credentials are checked by PolicedBroker before this plugin is asked
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
        try:
            self._broker = PolicedBroker(config, self.book, loop=self._loop)
            self._loop.run_until_complete(self._broker.start())
        except BaseException as exc:  # reported to start()
            self._error = exc
        finally:
            self._ready.set()
        if self._error is None:
            self._loop.run_forever()

    def stop(self) -> None:
        if self._broker is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
