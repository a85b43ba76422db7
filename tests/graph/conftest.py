"""Real parts for the graph tests: the shipped workflows as the build compiles them, and Mermaid's own parser and
renderer from the npm registry. The browser (``browser``, ``open_page``) is shared with the report's tests
(``tests/browser_pages.py``); screenshots go to ``artifact_folder("graph")``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from browser_pages import artifact_folder

from waveflow.compile import build

REPO = Path(__file__).resolve().parents[2]
MERMAID_VERSION = "11.17.2"


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
    return artifact_folder("graph")


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
