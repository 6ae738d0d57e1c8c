"""Subscribe to every MQTT topic filter the registry declares and run its functions.

QoS 1 with manual acknowledgement: a message is acked only after its function has
finished (or the message has been dead-lettered), on a persistent session, so a crash
or a broker restart redelivers rather than loses. Payloads must be JSON objects; each
becomes a CloudEvent (type `townsquare.mqtt.message`, subject = the topic, data =
{topic, payload}). What a function rejects, and what is not JSON, goes to the bus's
dead-letter topic with the reason (triggers/invoke.py runs each function, as for every
trigger). A backend outage is retried with backoff until the backend answers: the
message is neither acked nor set aside meanwhile, because a broker
redelivers an unacked message only on the next connection, and stops sending once its
in-flight window is full of them — "left for redelivery" would stall the topic, and lose
the message from the functions' view until the bridge happened to reconnect. Only a
stopping bridge leaves it unacked (its next connection gets it again).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from cloudevents.http import CloudEvent
from tenacity import Retrying, retry_if_exception_type, wait_exponential

from functions.registry import MqttTrigger, Registry
from shared.context import Context, Services
from shared.errors import Invalid, Unavailable
from shared.events import make_event
from shared.jsonin import load_object
from triggers.invoke import publish_dead_letter, run_on_event
from triggers.mqtt.policy import FUNCTIONS

log = logging.getLogger("townsquare.mqtt")
EVENT_TYPE = "townsquare.mqtt.message"


def mqtt_event(topic: str, raw: bytes) -> CloudEvent:
    """MQTT message → CloudEvent; Invalid when the payload is not a JSON object."""
    payload = load_object(raw, what="the payload", field="payload")
    return make_event(
        EVENT_TYPE, topic, {"topic": topic, "payload": payload}, source="/townsquare/mqtt"
    )


class MqttBridge:
    def __init__(
        self,
        services: Services,
        registry: Registry,
        url: str,
        *,
        client_id: str | None = None,
    ):
        self.services = services
        self.ctx = Context(services=services)
        self.subscriptions = registry.by_kind(MqttTrigger)
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        if self.port == 8883 and parts.scheme != "mqtts":
            raise ValueError("port 8883 is MQTT over TLS: use an mqtts:// URL")
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or parts.username or FUNCTIONS,  # the policy binds id to username
            clean_session=False,
            manual_ack=True,
        )
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        if parts.scheme == "mqtts":
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=5)
        self.connected = threading.Event()
        self.stopping = threading.Event()

    def start(self, timeout: float = 10.0) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(timeout):
            raise Unavailable(f"MQTT broker at {self.host}:{self.port} did not answer")

    def stop(self) -> None:
        self.stopping.set()
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connect refused: %s", reason_code)
            return
        client.subscribe([(trigger.topic, 1) for _, trigger in self.subscriptions])
        self.connected.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        # This runs on paho's network thread: an exception escaping here would end the
        # thread, and with it all MQTT processing, so every outcome is caught.
        try:
            self._deliver_once_backends_answer(message.topic, message.payload)
        except Unavailable:
            log.warning("stopping: %s left unacked for the next connection", message.topic)
            return
        except Exception as exc:
            log.exception("could not process a message on %s", message.topic)
            try:
                self._dead_letter(message.topic, message.payload, type(exc).__name__)
            except Exception:
                log.exception("could not dead-letter a message on %s", message.topic)
                return
        client.ack(message.mid, message.qos)

    def _deliver_once_backends_answer(self, topic: str, raw: bytes) -> None:
        waiting = Retrying(
            retry=retry_if_exception_type(Unavailable),
            wait=wait_exponential(multiplier=0.2, max=2),
            stop=lambda _: self.stopping.is_set(),
            before_sleep=lambda _: log.warning("backend unavailable; retrying %s", topic),
            reraise=True,
        )
        waiting(self.deliver, topic, raw)

    def deliver(self, topic: str, raw: bytes) -> int:
        """Run every function whose filter matches `topic`; return how many ran."""
        matching = [f for f, t in self.subscriptions if mqtt.topic_matches_sub(t.topic, topic)]
        try:
            event = mqtt_event(topic, raw)
        except Invalid as exc:
            self._dead_letter(topic, raw, exc.message)
            return 0
        for function in matching:
            run_on_event(
                self.ctx,
                function,
                event,
                trigger="mqtt",
                source=f"mqtt/{topic}",
                raw=raw,
                key=topic,
            )
        return len(matching)

    def _dead_letter(self, topic: str, raw: bytes, reason: str) -> None:
        publish_dead_letter(
            self.services, reason=reason, source=f"mqtt/{topic}", raw=raw, key=topic
        )
