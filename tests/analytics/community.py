"""A small community for the analytics tests: the demo loader's people, groups, posts,
comments, reactions and messages (through the API), plus some history written through
the ports — sign-ups weeks back, device logs — so every insight has something to count."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.progress import Progress

from shared.context import Services
from shared.records import Message, Post, User, new_uuid, utcnow
from triggers.emulator.demo import DemoLoader
from triggers.http import create_app

LEVELS = ("info", "info", "info", "warning", "error")


def load_demo(services: Services, *, users: int = 24) -> DemoLoader:
    loader = DemoLoader(create_app(services), users=users)
    with Progress(console=Console(quiet=True)) as progress:
        loader.load(progress)
    return loader


def add_history(services: Services, *, weeks: int = 3) -> None:
    """People who signed up in earlier weeks and were active since; device log lines.
    The history is anchored at today's noon (UTC), so each week's activity falls on one
    day whatever the hour the tests run at."""
    now = utcnow()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    for week in range(1, weeks + 1):
        for n in range(3):
            when = noon - timedelta(weeks=week, hours=n)
            user = User(new_uuid(), f"past.{week}.{n}.{new_uuid()}@example.org", f"Past {n}",
                        None, when)  # fmt: skip
            services.accounts.create_user(user, "not-a-real-hash")
            for later in range(week - n % 2):
                post = Post(new_uuid(), user.uuid, "", f"#throwback week {later} of #river walks",
                            "public", None, (), "throwback", when + timedelta(weeks=later))  # fmt: skip
                services.content.put_post(post)
            message = Message(new_uuid(), user.uuid, new_uuid(), None, "hello again", when)
            services.content.archive_message(message)
    for device in ("thermostat-1", "door-2"):
        for minute in range(0, 120, 7):
            level = LEVELS[minute % len(LEVELS)]
            when = now - timedelta(minutes=minute)
            services.content.put_device_log(device, when, level, f"{level} at {minute}", {})
