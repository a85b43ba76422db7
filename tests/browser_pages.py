"""Headless Chromium for the tests that look at pages (the graph's and the run report's): Debian's chromium,
installed with apt-get when missing and we are root, driven by Playwright, one browser for the whole session.

A page opened through ``open_page`` fails every request that is not the page's own file and records it, so a test
can assert that nothing was fetched. ``artifact_folder(name)`` is where a suite saves its screenshots
(``WAVEFLOW_ARTIFACTS``, default ``.waveflow/artifacts``, then ``name``). A plugin of the root conftest.py (a module
of its own: ``from conftest import`` finds whichever conftest.py of the suite was imported first).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def artifact_folder(name: str) -> Path:
    """The folder a suite's screenshots go to, made if missing."""
    folder = Path(os.environ.get("WAVEFLOW_ARTIFACTS", REPO / ".waveflow" / "artifacts")) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _install_chromium() -> str:
    """Debian's chromium, installed as the README's test command promises; returns why it could not be."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "chromium is not installed and this is not a root Debian machine (apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "chromium", "chromium-driver"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode:
            return f"`{' '.join(command)}` failed: {done.stderr.strip().splitlines()[-1:]}"
    return ""


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed ('.[dev]')")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        reason = _install_chromium()
        executable = shutil.which("chromium")
        if executable is None:
            print(f"\nSKIPPED browser tests: {reason}")
            pytest.skip(reason)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Visit:
    """A page whose every request but its own file:// document is refused and recorded in ``fetched``."""

    def __init__(self, page, own: str):
        self.page, self.own, self.fetched, self.errors = page, own, [], []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url == self.own:
            route.continue_()
        else:
            self.fetched.append(url)
            route.abort()


@pytest.fixture
def open_page(browser):
    """``open_page(path, width, height)`` -> a Visit of the file, loaded."""
    contexts = []

    def opener(path: Path, width: int = 1280, height: int = 900) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page, path.resolve().as_uri())
        page.goto(visit.own)
        return visit
    yield opener
    for context in contexts:
        context.close()
