"""Every object in knative/ validates against its published schema (Knative Serving and
Eventing, Gateway API, Kubernetes core), offline, through the schema packages that `make
browser-deps` installs from npm (tests/deploy/validate_manifests.mjs).

Knative Kafka's KafkaSource and KafkaSink are the exception, said plainly: no package on the
registries this project uses carries their schemas, so they are checked only for the
references below."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
SCRIPT = Path(__file__).with_name("validate_manifests.mjs")
WITHOUT_SCHEMA = {"KafkaSource", "KafkaSink"}


def manifests() -> list[dict]:
    return [
        doc
        for path in sorted((ROOT / "knative").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def validate(docs: list[dict]) -> list[dict]:
    assert shutil.which("node"), "node is needed to run the schema packages"
    assert (ROOT / "web" / "node_modules" / "@kubernetes-models").is_dir(), "run make browser-deps"
    done = subprocess.run(
        ["node", str(SCRIPT)], input=json.dumps(docs), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_manifest_validates_against_its_schema():
    results = validate(manifests())
    assert len(results) == len(manifests()) > 50
    invalid = [r for r in results if r["error"] and r["kind"] not in WITHOUT_SCHEMA]
    assert invalid == [], invalid
    unchecked = {r["kind"] for r in results if r["error"]}
    assert unchecked == WITHOUT_SCHEMA, unchecked
    assert {"Deployment", "Secret", "ConfigMap"} <= {r["kind"] for r in results}  # core, checked


def test_the_validator_catches_a_broken_manifest():
    service = next(d for d in manifests() if d["kind"] == "Service")
    service["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "http"}]
    route = next(d for d in manifests() if d["kind"] == "HTTPRoute")
    route["spec"]["rules"] = route["spec"]["rules"] * 2  # past the Gateway API's 16 rules
    bridge = next(d for d in manifests() if d["kind"] == "Deployment")
    bridge["spec"]["replicas"] = "one"
    assert all(r["error"] for r in validate([service, route, bridge]))
