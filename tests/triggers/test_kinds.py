"""One seam per trigger kind (triggers/kinds.py): the four kinds are found under triggers/,
registration refuses what no kind deploys, and a new kind — tests/triggers/kinds/ticker,
written only against the protocol — is picked up by the registry, the Knative and SAM
renderers, the container entry, the Lambda handler and the emulator with no edit
elsewhere."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

from functions.registry import EventTrigger, RegistrationError, Registry, load
from shared.settings import Settings
from tests.triggers.kinds.ticker.kind import Tick
from triggers.deploy import knative, sam
from triggers.kinds import deployed_context, discover

MAIN = Path(__file__).parents[2] / "triggers" / "http" / "main.py"
ticks: list[tuple[str, int]] = []


def toy_tick(event, ctx) -> None:
    """Count a tick."""
    ticks.append((event["type"], event.data["n"]))


def toy_registry() -> Registry:
    registry = Registry()
    registry.bind_kinds(discover() + discover("tests.triggers.kinds"))
    registry.on(Tick(60))(toy_tick)
    return registry


def test_the_four_kinds_are_found_under_triggers():
    assert [kind.name for kind in discover()] == ["http", "event", "cron", "mqtt"]
    assert [kind.name for kind in load().kinds] == ["http", "event", "cron", "mqtt"]


def test_registration_refuses_what_no_kind_deploys_and_doubles():
    @dataclass(frozen=True)
    class Carrier:
        pigeon: str

        def describe(self) -> str:
            return f"pigeon {self.pigeon}"

    registry = Registry()
    registry.bind_kinds(discover())
    with pytest.raises(RegistrationError, match="no trigger kind deploys"):
        registry.on(Carrier("north"))(toy_tick)
    registry.on_event("test.happened")(toy_tick)
    with pytest.raises(RegistrationError, match="registered twice"):
        registry.on_event("test.happened")(toy_tick)  # the same trigger again

    def other(event, ctx): ...

    other.__name__ = "toy_tick"  # another handler under a name already taken
    with pytest.raises(RegistrationError, match="registered twice"):
        registry.on_event("test.other")(other)
    assert registry.functions["tests.toy_tick"].triggers == [EventTrigger("test.happened")]


def test_a_record_recorded_before_the_kinds_are_bound_is_checked_at_binding():
    registry = Registry()
    registry.on(Tick(5))(toy_tick)
    with pytest.raises(RegistrationError, match="Tick"):
        registry.bind_kinds(discover())  # no ticker kind among them
    registry.bind_kinds(discover() + discover("tests.triggers.kinds"))


def test_the_renderers_deploy_a_new_kind():
    registry = toy_registry()
    files = knative.render(registry)
    [service] = files["services.yaml"][:-2]  # then ts-web and ts-stream, the HTTP kind's
    container = service["spec"]["template"]["spec"]["containers"][0]
    assert service["metadata"]["name"] == "ts-toy-tick"
    assert container["env"] == [
        {"name": "FUNCTION_TARGET", "value": "toy_tick"},
        {"name": "FUNCTION_SIGNATURE_TYPE", "value": "cloudevent"},
    ]
    [ticker] = files["ticker.yaml"]
    assert ticker["data"] == {"every": "60", "sink": "ts-toy-tick"}
    template = sam.render(registry)
    events = template["Resources"]["ToyTickFunction"]["Properties"]["Events"]
    assert events == {
        "Ticker0": {"Type": "Schedule", "Properties": {"Schedule": "rate(60 minutes)"}}
    }


def test_the_container_entry_and_the_lambda_handler_run_a_new_kind(tmp_path, monkeypatch):
    import functions.registry
    from triggers import aws

    registry = toy_registry()
    monkeypatch.setattr(functions.registry, "load", lambda: registry)
    monkeypatch.setattr(aws, "load", lambda: registry)
    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(tmp_path))
    deployed_context.cache_clear()
    spec = importlib.util.spec_from_file_location("toy_targets", MAIN)
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    from tests.triggers.kinds.ticker.kind import tick_event

    ticks.clear()
    main.toy_tick(tick_event(7))
    monkeypatch.setenv("TOWNSQUARE_FUNCTION", "toy_tick")
    assert aws.handler({"ticker": 8}) == {"handled": 1}
    assert ticks == [("test.ticker.tick", 7), ("test.ticker.tick", 8)]
    deployed_context.cache_clear()


def test_the_emulator_starts_a_new_kind(tmp_path, monkeypatch):
    from triggers.emulator import server

    registry = toy_registry()
    monkeypatch.setattr(server, "load", lambda: registry)
    emulator = server.Emulator(Settings(data_dir=tmp_path, _env_file=None), port=0, mqtt_port=0)
    ticks.clear()
    emulator.start()
    try:
        assert ticks == [("test.ticker.tick", 0)]
        assert "ticker every 60s" in [t.describe() for t in registry.get("toy_tick").triggers]
    finally:
        emulator.shutdown()
