"""The trigger kinds: each is one package under triggers/ whose `kind.py` defines `KIND`,
an object of the TriggerKind protocol below. Everything that differs between kinds lives
there — the record it deploys, how it runs in `townsquare dev`, the functions-framework
target the container runs, its Knative objects, its SAM events and its Lambda entry — so a
new kind is its own package plus its record; the registry (functions/registry.py), the
renderers (triggers/deploy/), the container entry (triggers/http/main.py), the Lambda
handler (triggers/aws.py) and the emulator only loop over the kinds `discover()` finds.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from typing import Any, Protocol

from functions.registry import Function, Registry
from shared.context import Context, bootstrap
from shared.settings import Settings


class TriggerKind(Protocol):
    name: str  # "http", "event", "cron", "mqtt"
    record: type  # the trigger record it deploys (functions/registry.py's, or its own)
    order: int  # renderers and runtimes take the kinds in this order
    # the functions-framework signature of its functions' Knative Service: "http",
    # "cloudevent", or None when its functions run elsewhere (the MQTT bridge)
    signature: str | None

    def start(self, runtime: Any) -> Callable[[], None]:
        """Run this kind's functions in the `townsquare dev` process (`runtime` is the
        emulator: services, registry, stop event, threads); return what stops them."""
        ...

    def target(self, function: Function) -> Callable | None:
        """The functions-framework target the container runs for `function`, or None."""
        ...

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        """Its Knative/Kubernetes objects, by file under knative/; `functions` are the
        registry's functions with a trigger of this kind, sorted by name."""
        ...

    def sam_events(self, function: Function) -> dict[str, dict]:
        """Its events of `function`'s AWS::Serverless::Function."""
        ...

    def lambda_entry(self, event: dict, function: Function) -> dict | None:
        """Handle a Lambda invocation if `event` has this kind's shape; None otherwise."""
        ...


def discover(package: str = "triggers") -> list[TriggerKind]:
    """Every `<package>.<name>.kind.KIND`, in their order."""
    root = importlib.import_module(package)
    kinds = []
    for info in pkgutil.iter_modules(root.__path__, f"{package}."):
        if info.ispkg and importlib.util.find_spec(f"{info.name}.kind") is not None:
            kinds.append(importlib.import_module(f"{info.name}.kind").KIND)
    return sorted(kinds, key=lambda kind: kind.order)


def functions_of(registry: Registry, kind: TriggerKind) -> list[Function]:
    """The registry's functions with a trigger of `kind`, sorted by their handler's name."""
    return sorted(
        (f for f in registry.functions.values() if f.of_kind(kind.record)),
        key=lambda f: f.short_name,
    )


def signature_of(registry: Registry, function: Function) -> str | None:
    """The functions-framework signature of `function`'s Knative Service: "http" if one of
    its kinds serves HTTP, else "cloudevent" if one takes CloudEvents, else None."""
    kinds = {registry.kind_of(t).signature for t in function.triggers}
    return next((s for s in ("http", "cloudevent") if s in kinds), None)


@functools.cache
def deployed_context() -> Context:
    """A deployed function's context: settings from the environment, read once per process."""
    return Context(services=bootstrap(Settings()))
