"""Who may do what on Townsquare's MQTT topics: the rules stated once, enforced by the
embedded broker (triggers/mqtt/broker.py) and rendered as the production Mosquitto ACL
(`townsquare mqtt acl`, beside triggers/mqtt/mosquitto/mosquitto.conf).

Every client authenticates with an account of one role:

| role      | username          | may publish                                  | may subscribe   |
|-----------|-------------------|----------------------------------------------|-----------------|
| functions | townsquare-functions | nothing                                   | townsquare/#    |
| chat      | a chat app's name | townsquare/chat/user/+, townsquare/chat/group/+ | nothing      |
| device    | the device id     | townsquare/devices/<its own id>/logs         | nothing         |

and, whatever the role: the client id is the username (Mosquitto:
`use_username_as_clientid true`), so no client can take over another's session; retained
messages are refused (`retain_available false`); packets above MAX_PACKET_BYTES are
refused (`max_packet_size`). Only Townsquare's own functions account reads anything, so
no client ever sees another's payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paho.mqtt.client import topic_matches_sub

FUNCTIONS = "townsquare-functions"
ROLES = ("functions", "chat", "device")
MAX_PACKET_BYTES = 256 * 1024
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")  # also a topic level: no / + # $
CHAT_TOPICS = ("townsquare/chat/user/+", "townsquare/chat/group/+")


@dataclass(frozen=True)
class Account:
    username: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        if not USERNAME.fullmatch(self.username):
            raise ValueError(f"username must match {USERNAME.pattern}, not {self.username!r}")

    @property
    def writes(self) -> tuple[str, ...]:
        """The topic filters this account may publish to."""
        if self.role == "chat":
            return CHAT_TOPICS
        if self.role == "device":
            return (f"townsquare/devices/{self.username}/logs",)
        return ()

    @property
    def reads(self) -> tuple[str, ...]:
        """The topic filters this account may subscribe to (a filter at or below one)."""
        return ("townsquare/#",) if self.role == "functions" else ()

    def may_connect_as(self, client_id: str) -> bool:
        return client_id == self.username

    def may_publish(self, topic: str) -> bool:
        return any(topic_matches_sub(pattern, topic) for pattern in self.writes)

    def may_subscribe(self, topic_filter: str) -> bool:
        return any(_within(topic_filter, allowed) for allowed in self.reads)


def _within(topic_filter: str, allowed: str) -> bool:
    """Whether every topic `topic_filter` can match is also matched by `allowed` (a prefix/#)."""
    prefix = allowed.removesuffix("#").rstrip("/")
    return topic_filter == prefix or topic_filter.startswith(prefix + "/")


def mosquitto_acl(accounts: list[Account]) -> str:
    """The Mosquitto acl_file stating these rules for `accounts`."""
    lines = [
        "# Topic ACL for Townsquare, rendered by `townsquare mqtt acl` from triggers/mqtt/policy.py;",
        "# passwords live in Mosquitto's password_file (mosquitto_passwd). No `pattern` lines:",
        "# they would apply to every account.",
    ]
    for account in sorted(accounts, key=lambda a: (ROLES.index(a.role), a.username)):
        lines += ["", f"# {account.role}", f"user {account.username}"]
        lines += [f"topic read {topic}" for topic in account.reads]
        lines += [f"topic write {topic}" for topic in account.writes]
    return "\n".join(lines) + "\n"
