"""Every notebook in notebooks/ runs headless (nbclient) on the small demo community's
export, and none is committed with outputs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: strip outputs"
            )


@pytest.mark.slow
@pytest.mark.timeout(600)  # a kernel with its own SparkSession, beside the community's
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_on_the_demo_export(path, community, monkeypatch, tmp_path):
    monkeypatch.setenv("TOWNSQUARE_ANALYTICS_EXPORT_DIR", str(community.settings.export_path()))
    monkeypatch.delenv("TOWNSQUARE_ANALYTICS_URL", raising=False)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "busiest hour" in printed


@pytest.mark.slow
def test_the_notebook_command_serves_jupyterlab_on_loopback(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "triggers.cli", "notebook", "--port", str(port),
               "--data", str(tmp_path)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        version = None
        while version is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as answer:
                    version = json.load(answer)["version"]
            except OSError:
                time.sleep(1)
        assert version, "JupyterLab did not answer on 127.0.0.1"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    kernel = Path(sys.prefix, "share", "jupyter", "kernels", "townsquare", "kernel.json")
    assert json.loads(kernel.read_text())["argv"][0] == sys.executable


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
