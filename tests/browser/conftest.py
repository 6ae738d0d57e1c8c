"""The browser tier: a running `townsquare dev` (embedded backends, or the stack's servers
with TOWNSQUARE_TEST_BACKENDS=real) on a free port of 127.0.0.1, and Debian's chromium
driven by Playwright through `executable_path` (`make browser-deps` installs it; Playwright's
own browser download is never used). Screenshots go to artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.settings import Settings
from tests.conftest import REAL, Api, real_overrides
from tests.triggers.conftest import Running
from triggers.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _require(path_or_none, what: str):
    if path_or_none:
        return path_or_none
    message = f"{what} is missing: run `make browser-deps`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    overrides = real_overrides() if REAL else {}
    data = tmp_path_factory.mktemp("web") / "data"
    emulator = Emulator(Settings(data_dir=data, _env_file=None, **overrides), port=0, mqtt_port=0)
    emulator.start()
    yield Town(emulator)
    emulator.shutdown()


@dataclass
class Someone:
    uuid: str
    email: str
    token: str
    name: str


class Town(Running):
    """The running server, plus people made over HTTP who then log in in a browser."""

    @property
    def origin(self) -> str:
        return self.base.removesuffix("/api/v1")

    def someone(self, name: str) -> Someone:
        email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.org"
        body = {"email": email, "name": name, "password": PASSWORD}
        assert self.call("POST", "/auth/signup", json=body).status_code == 201
        login = self.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        return Someone(login.json()["user"]["uuid"], email, login.json()["token"], name)

    def operator(self, name: str) -> Someone:
        person = Api(self.emulator.app.test_client(), self.emulator.dispatcher).operator(name)
        return Someone(person.uuid, person.user["email"], person.token, name)


@pytest.fixture(scope="module")  # closed after each module: nothing lingers through the rest
def chromium():
    from playwright.sync_api import sync_playwright

    executable = _require(shutil.which("chromium"), "Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_app(chromium, server):
    """open_app(person=None, viewport=DESKTOP) -> a page of a fresh browser context,
    logged in as `person` through the login form when one is given."""
    contexts = []

    def open_(person: Someone | None = None, viewport: dict = DESKTOP):
        context = chromium.new_context(viewport=viewport, base_url=server.origin)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto("/#/login")
        if person is not None:
            log_in(page, person)
        return page

    yield open_
    for context in contexts:
        context.close()


def log_in(page, person: Someone) -> None:
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Feed").wait_for()


def shoot(page, name: str) -> None:
    """A screenshot of the whole page under artifacts/browser/<name>-<width>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    source = _require(AXE.exists() and AXE, "web/node_modules/axe-core").read_text()
    page.evaluate(source)  # run through the debugger protocol, so the page's CSP allows it
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
