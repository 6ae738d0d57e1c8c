"""The one registry of functions: each declares its triggers next to its code.

    from functions.registry import app

    @app.route("POST", "/posts", status=201, body=NewPost)
    def create_post(req, ctx): ...

    @app.on_event("post.created")
    def index_post(event, ctx): ...

    @app.on_event("message.created", batch=True)
    def archive_messages(events, ctx): ...   # a list: what one poll brought, in order

    @app.on_mqtt("townsquare/chat/user/+")
    def chat_to_user(event, ctx): ...

    @app.schedule("*/5 * * * *")
    def archive_messages(event, ctx): ...

The HTTP gateway, the emulator, the OpenAPI document, the Knative manifests and
template.yaml are all read off this registry (`load()`), so they cannot disagree.
The decorators only record; they never wrap or change the handler.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below /api/v1, with {name} placeholders
    status: int = 200
    auth: bool = True
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    raw_body: bool = False  # the handler takes the bytes as they came (media upload)
    summary: str = ""

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


@dataclass(frozen=True)
class EventTrigger:
    type: str  # a CloudEvent type on the bus, e.g. "post.created"
    batch: bool = False  # the handler takes a list of events (triggers/invoke.py)


@dataclass(frozen=True)
class MqttTrigger:
    topic: str  # an MQTT topic filter, e.g. "townsquare/chat/user/+"


@dataclass(frozen=True)
class Schedule:
    cron: str  # five-field crontab


Trigger = Route | EventTrigger | MqttTrigger | Schedule


def describe_trigger(trigger: Trigger) -> str:
    """One line: "http GET /api/v1/feed", "event post.created", "mqtt …", "cron …"."""
    if isinstance(trigger, Route):
        return f"http {trigger.method} /api/v1{trigger.path}"
    if isinstance(trigger, EventTrigger):
        return f"event {trigger.type}"
    if isinstance(trigger, MqttTrigger):
        return f"mqtt {trigger.topic}"
    return f"cron {trigger.cron}"


@dataclass
class Function:
    name: str  # module-qualified, unique: "posts.create_post"
    handler: Callable[..., Any]
    triggers: list[Trigger] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        """The handler's own name: the Knative service and functions-framework target."""
        return self.handler.__name__

    @property
    def doc(self) -> str:
        return (self.handler.__doc__ or "").strip()

    def of_kind(self, kind: type) -> list:
        return [t for t in self.triggers if isinstance(t, kind)]

    @property
    def takes_batches(self) -> bool:
        """True when the handler takes a list of events (`on_event(..., batch=True)`)."""
        return any(t.batch for t in self.of_kind(EventTrigger))


class Registry:
    def __init__(self) -> None:
        self.functions: dict[str, Function] = {}

    def _record(self, trigger: Trigger) -> Callable:
        def decorator(handler: Callable) -> Callable:
            feature = handler.__module__.removeprefix("functions.").split(".")[0]
            name = f"{feature}.{handler.__name__}"
            entry = self.functions.setdefault(name, Function(name, handler))
            entry.triggers.insert(0, trigger)
            return handler

        return decorator

    def route(self, method: str, path: str, **options) -> Callable:
        return self._record(Route(method.upper(), path, **options))

    def on_event(self, type: str, *, batch: bool = False) -> Callable:
        return self._record(EventTrigger(type, batch))

    def on_mqtt(self, topic: str) -> Callable:
        return self._record(MqttTrigger(topic))

    def schedule(self, cron: str) -> Callable:
        return self._record(Schedule(cron))

    def routes(self) -> list[tuple[Function, Route]]:
        return [(f, t) for f in self.functions.values() for t in f.of_kind(Route)]

    def by_kind(self, kind: type) -> list[tuple[Function, Any]]:
        return [(f, t) for f in self.functions.values() for t in f.of_kind(kind)]

    def get(self, short_name: str) -> Function:
        for function in self.functions.values():
            if short_name in (function.name, function.short_name):
                return function
        known = ", ".join(sorted(f.short_name for f in self.functions.values()))
        raise KeyError(f"no function named {short_name!r}; the registry has: {known}")


app = Registry()


def load() -> Registry:
    """Import every feature package under functions/ so its decorators run; return the registry."""
    import functions

    for module in pkgutil.walk_packages(functions.__path__, "functions."):
        if not module.name.split(".")[-1].startswith("_"):
            importlib.import_module(module.name)
    return app
