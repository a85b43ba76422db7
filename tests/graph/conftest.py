"""Real parts for the graph tests: headless Chromium (installed with apt-get when missing and we are root),
driven by Playwright, one browser for the whole session; Mermaid's own parser and renderer from the npm registry.

A page opened through ``open_page`` fails every request that is not the page's own file and records it, so a test
can assert that nothing was fetched. Screenshots go to ``WAVEFLOW_ARTIFACTS`` (default ``.waveflow/artifacts``).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from waveflow.compile import build

REPO = Path(__file__).resolve().parents[2]
MERMAID_VERSION = "11.17.2"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, dict]:
    """The shipped workflows, compiled by the build: name -> ASL."""
    files = build(REPO, tmp_path_factory.mktemp("build"))
    return {name[:-len(".asl.json")]: json.loads(data) for name, data in files.items() if name.endswith(".asl.json")}


@pytest.fixture(scope="session")
def migration(built) -> dict:
    return built["ServerMigration"]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("WAVEFLOW_ARTIFACTS", REPO / ".waveflow" / "artifacts")) / "graph"
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


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """mermaid.min.js of a pinned release, fetched once with `npm pack` (the npm registry) and cached."""
    cache = REPO / ".waveflow" / "cache" / f"mermaid-{MERMAID_VERSION}"
    script = cache / "mermaid.min.js"
    if script.exists():
        return script
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: cannot fetch Mermaid to check the diagrams")
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "pack", f"mermaid@{MERMAID_VERSION}", "--pack-destination", str(cache)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"npm pack mermaid@{MERMAID_VERSION} failed: {done.stderr.strip()[-300:]}")
    tarball = cache / f"mermaid-{MERMAID_VERSION}.tgz"
    with tarfile.open(tarball) as tar:
        member = tar.getmember("package/dist/mermaid.min.js")
        script.write_bytes(tar.extractfile(member).read())
    tarball.unlink()
    return script


@pytest.fixture(scope="session")
def mermaid_page(browser, mermaid_js, tmp_path_factory):
    """One page with Mermaid loaded from the local file, for the whole session."""
    folder = tmp_path_factory.mktemp("mermaid")
    shutil.copy(mermaid_js, folder / "mermaid.min.js")
    # Mermaid's entity codes go through non-ASCII placeholders: the script must be read as UTF-8.
    (folder / "index.html").write_text('<!doctype html><html><head><meta charset="utf-8"></head><body>'
                                       '<div id="out"></div><script src="mermaid.min.js" charset="utf-8"></script>'
                                       '</body></html>')
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    page = context.new_page()
    outside = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (outside.append(route.request.url), route.abort()))
    page.goto((folder / "index.html").as_uri())
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield page
    context.close()
    assert outside == [], f"Mermaid fetched {outside}"
