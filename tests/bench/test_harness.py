"""`townsquare bench`: a quick run writes one JSON file (both sides of every case, the
machine) and a chart, and the README table is written from that JSON. These check the
harness, never the figures (speed goals live in bench/, not in tests)."""

from __future__ import annotations

import json

import pytest

from triggers.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def run_quick(tmp_path, *names: str, backends: str = "embedded") -> dict:
    out = tmp_path / "results"
    code = main(["bench", *names, "--quick", "--duration", "0.5", "--out", str(out)])
    assert code == 0
    [written] = list(out.glob("*.json"))
    assert written.name.endswith(".json") and backends in written.name
    [picture] = list(out.glob("*.png"))
    assert picture.read_bytes().startswith(PNG)
    report = json.loads(written.read_text())
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu"]
    assert report["machine"]["python"].count(".") == 2
    assert report["backends"] == backends and report["quick"] is True
    return report | {"_path": written}


def test_b2_quick_writes_both_sides_a_chart_and_the_readme_table(tmp_path):
    report = run_quick(tmp_path, "B2")
    rows = report["benchmarks"]["B2"]["rows"]
    cases = {r["case"] for r in rows}
    assert cases == {"concurrency 1", "concurrency 8"}
    for case in cases:
        sides = {r["side"]: r for r in rows if r["case"] == case}
        assert set(sides) == {"townsquare", "GET /health (same server)"}
        for figures in sides.values():
            assert figures["ops"] > 0 and figures["errors"] == 0
            assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["p999_ms"]
            assert figures["ops_per_s"] > 0 and figures["cpu_s_per_1k"] > 0

    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nprose kept\n")
    assert main(["bench", "--table", str(report["_path"]), "--readme", str(readme)]) == 0
    first = readme.read_text()
    assert "prose kept" in first and "#### B2" in first
    assert "| concurrency 8 | GET /health (same server) |" in first
    assert report["date"] in first and report["machine"]["cpu"] in first
    # rewriting replaces the table instead of adding a second one
    assert main(["bench", "--table", str(report["_path"]), "--readme", str(readme)]) == 0
    assert readme.read_text() == first


def test_an_unknown_benchmark_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="B99"):
        main(["bench", "B99", "--quick", "--out", str(tmp_path)])


@pytest.mark.real
@pytest.mark.timeout(600)
def test_b1_quick_runs_townsquare_bare_pubsub_and_python_socketio(tmp_path):
    report = run_quick(tmp_path, "B1")
    rows = report["benchmarks"]["B1"]["rows"]
    for case in ("1 subscribers", "10 subscribers"):
        sides = {r["side"]: r for r in rows if r["case"] == case}
        assert set(sides) == {
            "townsquare",
            "bare redis-py pub/sub",
            "python-socketio + AsyncRedisManager (uvicorn)",
        }
        for figures in sides.values():
            assert figures["lost"] == 0 and figures["ops"] == 5
            assert figures["p50_ms"] > 0 and figures["cpu_s_per_1k"] is not None
