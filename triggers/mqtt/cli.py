"""`townsquare mqtt`: the embedded broker's accounts, and the production ACL from the same rules.

townsquare mqtt add NAME --role chat|device [--data DIR]   make an account; prints its secret once
townsquare mqtt remove NAME [--data DIR]
townsquare mqtt list [--data DIR]
townsquare mqtt acl [--data DIR]                            the Mosquitto acl_file for these accounts
"""

from __future__ import annotations

import argparse
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


def run(args: argparse.Namespace) -> int:
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
