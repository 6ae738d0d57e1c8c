"""`townsquare mqtt`: the embedded broker's accounts, and the production ACL from the same rules.

townsquare mqtt add NAME --role chat|device [--data DIR]   make an account; prints its secret once
townsquare mqtt remove NAME [--data DIR]
townsquare mqtt list [--data DIR]
townsquare mqtt acl [--data DIR]                            the Mosquitto acl_file for these accounts
townsquare mqtt bridge                                      the bridge alone (TOWNSQUARE_MQTT_URL)
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from triggers.mqtt.accounts import ACCOUNTS_FILE, AccountBook
from triggers.mqtt.policy import FUNCTIONS, Account, mosquitto_acl


def add_parser(commands) -> None:
    mqtt = commands.add_parser("mqtt", help="MQTT accounts and the production ACL")
    verbs = mqtt.add_subparsers(dest="verb", required=True)
    for verb, help_text in [
        ("add", "make an account (prints its secret once)"),
        ("remove", "remove an account"),
        ("list", "list the accounts"),
        ("acl", "print the Mosquitto acl_file for these accounts"),
    ]:
        parser = verbs.add_parser(verb, help=help_text)
        parser.add_argument("--data", type=Path, default=Path(".data"))
        if verb in ("add", "remove"):
            parser.add_argument("name")
        if verb == "add":
            parser.add_argument("--role", choices=["chat", "device"], required=True)
    verbs.add_parser("bridge", help="run the MQTT bridge alone (broker: TOWNSQUARE_MQTT_URL)")


def run_bridge() -> int:
    """The deployed bridge: every MQTT function of the registry on the broker of
    TOWNSQUARE_MQTT_URL, with the backends of the other TOWNSQUARE_* URLs, until SIGTERM."""
    from functions.registry import load
    from shared.context import bootstrap
    from shared.settings import Settings
    from triggers.mqtt.bridge import MqttBridge

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    if not settings.mqtt_url:
        print("townsquare mqtt bridge: TOWNSQUARE_MQTT_URL is not set")
        return 2
    services = bootstrap(settings)
    bridge = MqttBridge(services, load(), settings.mqtt_url)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    bridge.start()
    logging.getLogger("townsquare.mqtt").info(
        "bridge subscribed to %d topic filters", len(bridge.subscriptions)
    )
    done.wait()
    bridge.stop()
    services.close()
    return 0


def run(args: argparse.Namespace) -> int:
    if args.verb == "bridge":
        return run_bridge()
    book = AccountBook(args.data / ACCOUNTS_FILE)
    if args.verb == "add":
        try:
            secret = book.add(args.name, args.role)
        except ValueError as exc:
            print(f"townsquare mqtt: {exc}")
            return 2
        book.save()
        print(f"{args.role} account {args.name!r}; its secret (shown once): {secret}")
        print(
            f"connect with username {args.name!r}, this secret as password, client id {args.name!r}"
        )
        return 0
    if args.verb == "remove":
        if not book.remove(args.name):
            print(f"townsquare mqtt: no account named {args.name!r}")
            return 2
        book.save()
        return 0
    if args.verb == "list":
        for account in book.accounts():
            print(f"{account.username}\t{account.role}")
        return 0
    print(mosquitto_acl([Account(FUNCTIONS, "functions"), *book.accounts()]), end="")
    return 0
