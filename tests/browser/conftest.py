"""Browser fixtures: one live SIMASN server (in a subprocess, with demo data), one headless Chromium,
a fresh browser context per test, logging in through the real form, and screenshots."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from app.demo.accounts import PASSWORD
from tests.browser.live_server import EMPLOYEES, SEED
from tests.services import require_chromium

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
START_TIMEOUT = 120
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    facts: dict


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"live server exited with {process.returncode}:\n{log.read_text()[-4000:]}", pytrace=False)
        if _answers(url):
            return
        time.sleep(0.5)
    pytest.fail(f"live server did not answer {url} within {START_TIMEOUT} s:\n{log.read_text()[-4000:]}",
                pytrace=False)


def _server_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMASN_")}
    env.update(SIMASN_DATABASE_URL=f"sqlite:///{instance / 'simasn.sqlite'}", SIMASN_INSTANCE_PATH=str(instance),
               SIMASN_DOCUMENT_STORE=str(instance / "dokumen"), SIMASN_DEMO_MODE="true",
               SIMASN_SECRET_KEY="x" * 40, SIMASN_BROKER_URL="memory://")
    return env


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """SIMASN with 300 demo employees and the demo accounts, served on a free local port."""
    instance = tmp_path_factory.mktemp("live-instance")
    port, facts_file, log = _free_port(), instance / "facts.json", instance / "server.log"
    command = [sys.executable, "-m", "tests.browser.live_server", str(port), "--setup",
               "--count", str(EMPLOYEES), "--seed", str(SEED), "--facts", str(facts_file)]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=_server_env(instance), stdout=output,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, f"{url}/masuk", log)
        yield LiveServer(url, json.loads(facts_file.read_text()))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def facts(live_server) -> dict:
    return live_server.facts


@pytest.fixture(scope="session")
def screenshots():
    """The screenshot folder, emptied of the previous run's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for stale in SCREENSHOTS.glob("*.png"):
        stale.unlink()
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture()
def page(browser, live_server, screenshots, request):
    """A page in a fresh context (no cookies), screenshotted as <test-name>.png at the end."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 900})
    # 30 s, not 10: in the whole suite the live server shares two cores with what ran just before
    # (a 10,000-timer run's workers winding down); a form submission then took over 10 s once.
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            _screenshot(page, _test_name(request))
        finally:
            context.close()


def _test_name(request) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)


def _screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture()
def shot(page, request):
    """Screenshot of the current page, saved as <test-name>--<step>.png."""
    return lambda step: _screenshot(page, f"{_test_name(request)}--{step}")


@pytest.fixture()
def login_as(page):
    """Log in through the real form; return the response of the page it lands on."""
    def _login(username: str, password: str = PASSWORD):
        page.goto("/masuk")
        page.fill("#username", username)
        page.fill("#password", password)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Masuk").click()
        return navigation.value
    return _login


def pytest_collection_modifyitems(items):
    """Tests of a module that sets CHANGES_DEMO_DATA (a transfer moves an employee to another OPD) run
    last, after the tests that check the pages against the facts gathered when the live server started."""
    items.sort(key=lambda item: bool(getattr(getattr(item, "module", None), "CHANGES_DEMO_DATA", False)))
