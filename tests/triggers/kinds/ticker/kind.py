"""The ticker: a toy trigger kind, written only against triggers/kinds.py's protocol.

Its record is its own (`Tick`, registered with `@app.on(Tick(...))`); it runs its
functions once at the emulator's start, deploys each as a CloudEvent Knative Service fed
by a ConfigMap-described ticker (its own file, ticker.yaml), and as a Lambda with a
Schedule event; its Lambda entry takes {"ticker": n}."""

from __future__ import annotations

from dataclasses import dataclass

from functions.registry import Function, Registry
from shared.events import make_event
from triggers.deploy.knative import NAMESPACE, service_name
from triggers.invoke import run_on_event
from triggers.kinds import deployed_context


@dataclass(frozen=True)
class Tick:
    every: int  # seconds

    def describe(self) -> str:
        return f"ticker every {self.every}s"


def tick_event(n: int):
    return make_event("test.ticker.tick", str(n), {"n": n})


class TickerKind:
    name = "ticker"
    record = Tick
    order = 90
    signature = "cloudevent"

    def start(self, runtime):
        for function in runtime.registry.functions.values():
            if function.of_kind(Tick):
                run_on_event(
                    runtime_context(runtime),
                    function,
                    tick_event(0),
                    trigger="ticker",
                    source="ticker",
                )
        return lambda: None

    def target(self, function: Function):
        def target(cloud_event) -> None:
            run_on_event(
                deployed_context(), function, cloud_event, trigger="ticker", source="ticker"
            )

        target.__name__ = function.short_name
        return target

    def knative(self, registry: Registry, functions: list[Function]) -> dict[str, list[dict]]:
        return {
            "ticker.yaml": [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"{service_name(f)}-ticker", "namespace": NAMESPACE},
                    "data": {"every": str(f.of_kind(Tick)[0].every), "sink": service_name(f)},
                }
                for f in functions
            ]
        }

    def sam_events(self, function: Function) -> dict[str, dict]:
        return {
            f"Ticker{i}": {
                "Type": "Schedule",
                "Properties": {"Schedule": f"rate({t.every} minutes)"},
            }
            for i, t in enumerate(function.of_kind(Tick))
        }

    def lambda_entry(self, event: dict, target: str) -> dict | None:
        if "ticker" not in event:
            return None
        from functions.registry import load

        ran = run_on_event(
            deployed_context(),
            load().get(target),
            tick_event(event["ticker"]),
            trigger="ticker",
            source="ticker",
        )
        return {"handled": int(ran)}


def runtime_context(runtime):
    from shared.context import Context

    return Context(services=runtime.services)


KIND = TickerKind()
