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

A trigger record is deployable only if a trigger kind (triggers/<kind>/kind.py, see
triggers/kinds.py) takes its type; `load()` binds the kinds first. Registering a trigger
no kind takes, the same trigger twice, or a second handler under a name already taken
raises RegistrationError at the decorator. A new kind's record needs no decorator here:
`@app.on(MyTrigger(...))` records any trigger.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel


class RegistrationError(Exception):
    """A function or trigger that could not be deployed as declared."""


class TriggerRecord(Protocol):
    """What a trigger kind's record offers the registry: a one-line description."""

    def describe(self) -> str: ...


class Kind(Protocol):
    """The registry's view of a trigger kind (the whole protocol: triggers/kinds.py)."""

    name: str
    record: type
    order: int


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

    def describe(self) -> str:
        return f"http {self.method} /api/v1{self.path}"


@dataclass(frozen=True)
class EventTrigger:
    type: str  # a CloudEvent type on the bus, e.g. "post.created"
    batch: bool = False  # the handler takes a list of events (triggers/invoke.py)

    def describe(self) -> str:
        return f"event {self.type}"


@dataclass(frozen=True)
class MqttTrigger:
    topic: str  # an MQTT topic filter, e.g. "townsquare/chat/user/+"

    def describe(self) -> str:
        return f"mqtt {self.topic}"


@dataclass(frozen=True)
class Schedule:
    cron: str  # five-field crontab

    def describe(self) -> str:
        return f"cron {self.cron}"


Trigger = TriggerRecord  # Route, EventTrigger, MqttTrigger, Schedule, or a new kind's record


def describe_trigger(trigger: Trigger) -> str:
    """One line: "http GET /api/v1/feed", "event post.created", "mqtt …", "cron …"."""
    return trigger.describe()


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
        self.kinds: list[Kind] = []  # bound by bind_kinds, in their order
        self.bound = False

    def bind_kinds(self, kinds: list[Kind]) -> None:
        """Take the trigger kinds; every trigger recorded so far, and from now on, must
        belong to one of them."""
        self.kinds = sorted(kinds, key=lambda kind: kind.order)
        self.bound = True
        for function in self.functions.values():
            for trigger in function.triggers:
                self._check_deployable(function.name, trigger)

    def kind_of(self, trigger: Trigger) -> Kind:
        for kind in self.kinds:
            if isinstance(trigger, kind.record):
                return kind
        raise RegistrationError(f"no trigger kind deploys {type(trigger).__name__}")

    def _check_deployable(self, name: str, trigger: Trigger) -> None:
        if self.bound and not any(isinstance(trigger, k.record) for k in self.kinds):
            known = ", ".join(k.name for k in self.kinds)
            raise RegistrationError(
                f"{name}: no trigger kind deploys {trigger!r} (the kinds: {known})"
            )

    def _record(self, trigger: Trigger) -> Callable:
        def decorator(handler: Callable) -> Callable:
            feature = handler.__module__.removeprefix("functions.").split(".")[0]
            name = f"{feature}.{handler.__name__}"
            self._check_deployable(name, trigger)
            entry = self.functions.get(name)
            if entry is None:
                self._check_unique_short_name(name, handler)
                entry = self.functions[name] = Function(name, handler)
            elif entry.handler is not handler:
                raise RegistrationError(
                    f"{name} is registered twice ({entry.handler.__module__} and "
                    f"{handler.__module__})"
                )
            if trigger in entry.triggers:
                raise RegistrationError(f"{name}: {trigger.describe()} is registered twice")
            entry.triggers.insert(0, trigger)
            return handler

        return decorator

    def _check_unique_short_name(self, name: str, handler: Callable) -> None:
        """The handler's name is its Knative Service and its container target: one each."""
        for function in self.functions.values():
            if function.short_name == handler.__name__:
                raise RegistrationError(
                    f"{name}: the name {handler.__name__!r} is taken by {function.name}"
                )

    def on(self, trigger: Trigger) -> Callable:
        """Record any trigger, e.g. a new kind's record: `@app.on(MyTrigger(...))`."""
        return self._record(trigger)

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
    """Bind the trigger kinds, import every feature package under functions/ so its
    decorators run; return the registry."""
    import functions

    if not app.bound:  # the composition root: the kinds are found under triggers/
        from triggers.kinds import discover

        app.bind_kinds(discover())

    for module in pkgutil.walk_packages(functions.__path__, "functions."):
        if not module.name.split(".")[-1].startswith("_"):
            importlib.import_module(module.name)
    return app
