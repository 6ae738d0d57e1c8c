"""`townsquare bench`: a quick run of every registered benchmark keeps the harness's
contract — one JSON file (the machine, every side of every case) and a chart; every case
measures Townsquare beside at least one baseline; every row has operations and ordered
percentiles — and the README table is written from that JSON. These check the harness,
never the figures (speed goals live in bench/, not in tests). Several benchmarks share one
`townsquare bench A B C` call to keep the time down."""

from __future__ import annotations

import json

import pytest

from bench.cli import REGISTRY
from bench.harness import PROJECT
from triggers.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
EMBEDDED = ["B1s", "B2", "B2s", "B4", "B6", "B7", "B8", "B9"]
SLOW = ["B5"]  # starts a Spark JVM
REAL = ["B1", "B3", "B10"]  # the stack's Redis and Kafka; B10 its own private servers


def run_quick(out, *names: str, backends: str = "embedded") -> dict:
    command = ["bench", *names, "--quick", "--duration", "0.5", "--out", str(out)]
    assert main([*command, "--backends", backends]) == 0
    [written] = list(out.glob("*.json"))
    assert written.name.endswith(".json") and backends in written.name
    [picture] = list(out.glob("*.png"))
    assert picture.read_bytes().startswith(PNG)
    report = json.loads(written.read_text())
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu"]
    assert report["machine"]["python"].count(".") == 2
    assert report["backends"] == backends and report["quick"] is True
    assert list(report["benchmarks"]) == list(names)
    for name in names:
        keeps_the_contract(name, report["benchmarks"][name])
    return report | {"_path": written}


def keeps_the_contract(name: str, result: dict) -> None:
    assert "error" not in result, f"{name}: {result.get('error')}"
    rows = result["rows"]
    assert rows, f"{name} has no rows"
    for case in dict.fromkeys(r["case"] for r in rows):
        sides = {r["side"] for r in rows if r["case"] == case}
        assert PROJECT in sides and len(sides) >= 2, f"{name} {case!r}: sides {sides}"
    for r in rows:
        assert r["ops"] > 0, f"{name}: {r}"
        if r["p50_ms"] is not None:
            assert 0 < r["p50_ms"] <= r["p99_ms"] <= r["p999_ms"], f"{name}: {r}"
        # a failed request or a message that never arrived is a fault, not a figure
        assert r.get("errors", 0) == 0 and r.get("lost", 0) == 0, f"{name}: {r}"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> dict:
    return run_quick(tmp_path_factory.mktemp("results"), *EMBEDDED)


def test_every_registered_benchmark_has_a_quick_run_here():
    assert sorted(EMBEDDED + SLOW + REAL) == sorted(REGISTRY)


@pytest.mark.timeout(300)
def test_the_embedded_benchmarks_in_one_quick_run_keep_the_contract(embedded):
    b2 = embedded["benchmarks"]["B2"]["rows"]
    assert {r["case"] for r in b2} == {"concurrency 1", "concurrency 8"}
    assert {r["side"] for r in b2} == {PROJECT, "GET /health/live (same server)"}


@pytest.mark.timeout(300)
def test_the_readme_table_is_written_from_a_run_and_rewritten_in_place(embedded, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nprose kept\n")
    assert main(["bench", "--table", str(embedded["_path"]), "--readme", str(readme)]) == 0
    first = readme.read_text()
    assert "prose kept" in first and all(f"#### {name}:" in first for name in EMBEDDED)
    assert "| concurrency 8 | GET /health/live (same server) |" in first
    assert embedded["date"] in first and embedded["machine"]["cpu"] in first
    assert main(["bench", "--table", str(embedded["_path"]), "--readme", str(readme)]) == 0
    assert readme.read_text() == first


def test_an_unknown_benchmark_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="B99"):
        main(["bench", "B99", "--quick", "--out", str(tmp_path)])


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_analytics_benchmark_quick_run_keeps_the_contract(tmp_path):
    run_quick(tmp_path, *SLOW)


@pytest.mark.real
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_benchmarks_on_real_servers_in_one_quick_run_keep_the_contract(tmp_path):
    report = run_quick(tmp_path, *REAL, backends="real")
    b1 = {r["side"] for r in report["benchmarks"]["B1"]["rows"]}
    assert b1 == {
        PROJECT,
        "bare redis-py pub/sub",
        "python-socketio + AsyncRedisManager (uvicorn)",
    }
    outages = [r for r in report["benchmarks"]["B10"]["rows"] if r["side"] == PROJECT]
    for r in outages:  # a backend down is answered 503 (never a 500, never a hang)
        assert {part.split("× ")[1] for part in r["statuses"].split(", ")} == {"503"}, r
        assert r["recovered"] is True, r
