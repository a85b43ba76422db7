"""The report's tests share one small real run (``report_runs.small_run``: both shipped workflows executed and
journalled, per test module), the report the adapter builds from it, and the page drawn from that report.
Browser fixtures come from ``tests/browser_pages.py``; screenshots go to ``artifact_folder("report")``."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_pages import artifact_folder
from report_runs import small_run

from waveflow.report import render
from waveflow.report.journal_source import report_of


@pytest.fixture(scope="session")
def definitions(built_stack) -> dict[str, dict]:
    """The shipped workflows as the build compiles them: name -> ASL."""
    return {name[:-len(".asl.json")]: json.loads(data) for name, data in built_stack.files.items()
            if name.endswith(".asl.json")}


@pytest.fixture(scope="module")
def record(definitions, tmp_path_factory):
    return small_run(definitions, tmp_path_factory.mktemp("journal") / "journal.sqlite3")


@pytest.fixture(scope="module")
def report(record):
    return report_of(record)


@pytest.fixture(scope="module")
def page_file(report, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(render(report), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return artifact_folder("report")
