"""The trigger modules stand in layers: authentication (triggers/auth) below both the
HTTP gateway and the WebSocket stream, which never import each other's modules back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_each_trigger_package_imports_on_its_own():
    for package in (
        "triggers.websocket",
        "triggers.auth.identity",
        "triggers.http",
        "triggers.mqtt",
    ):
        done = subprocess.run(
            [sys.executable, "-c", f"import {package}"], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr


def test_the_stream_and_auth_do_not_import_the_gateway():
    for folder in ("websocket", "auth"):
        for module in (ROOT / "triggers" / folder).glob("*.py"):
            assert "triggers.http.gateway" not in module.read_text(), module
