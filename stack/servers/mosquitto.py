"""Mosquitto (Debian ``mosquitto``) on 127.0.0.1:11883, anonymous clients allowed (test stack only).

The health check speaks MQTT itself: a CONNECT packet, then it expects a CONNACK accepting it.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess

from ..base import Server
from ..install import apt_install
from ..paths import HOST

# MQTT 3.1.1 CONNECT: clean session, keepalive 10 s, client id "ts-stack-health".
_CLIENT_ID = b"ts-stack-health"
_VARIABLE = b"\x00\x04MQTT\x04\x02\x00\x0a"
_PAYLOAD = len(_CLIENT_ID).to_bytes(2, "big") + _CLIENT_ID
_CONNECT = bytes([0x10, len(_VARIABLE) + len(_PAYLOAD)]) + _VARIABLE + _PAYLOAD


def mqtt_connack(host: str, port: int, timeout: float = 2.0) -> bool:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(_CONNECT)
        reply = b""
        while len(reply) < 4:
            chunk = sock.recv(4 - len(reply))
            if not chunk:
                return False
            reply += chunk
        sock.sendall(b"\xe0\x00")  # DISCONNECT
        return reply[0] == 0x20 and reply[3] == 0x00


def _binary() -> str | None:
    if shutil.which("mosquitto"):
        return shutil.which("mosquitto")
    return "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None


class Mosquitto(Server):
    name = "mosquitto"
    port = 11883
    port_name = "MQTT"
    url = f"mqtt://{HOST}:{port}"
    start_timeout = 30
    durable = False  # True: persistence on (sessions and queued QoS 1 messages survive)

    def install(self) -> None:
        if _binary() is None or shutil.which("mosquitto_pub") is None:
            apt_install("mosquitto", "mosquitto-clients")

    def prepare(self) -> None:
        (self.home / "mosquitto.conf").write_text(
            "per_listener_settings false\n"
            f"listener {self.port} {HOST}\n"
            "allow_anonymous true\n"
            + (
                f"persistence true\npersistence_location {self.home}/\nautosave_interval 1\n"
                f"user {getpass.getuser()}\n"
                if self.durable
                else "persistence false\n"
            )
            + "log_dest stdout\nlog_type error\nlog_type warning\nlog_type notice\n"
        )

    def command(self) -> list[str]:
        return [_binary() or "mosquitto", "-c", str(self.home / "mosquitto.conf")]

    def healthy(self) -> bool:
        return mqtt_connack(HOST, self.port)

    ready = healthy

    def version(self) -> str:
        out = subprocess.run([_binary() or "mosquitto", "-h"], capture_output=True, text=True)
        first = (out.stdout or out.stderr).split()
        return f"Mosquitto {first[2]}" if len(first) > 2 else "?"  # "mosquitto version 2.0.11"
