"""The HTML report of a ``waveflow run``, drawn from the journal alone (issue 9, "The run report").

``model`` says what the report shows; ``journal_source`` builds it from a run the journal keeps; ``page`` (with
``timeline`` and ``tables``) draws it as one self-contained HTML file that opens from disk::

    from waveflow.report import write_report
    write_report(".waveflow/journal.sqlite3", run_id=None, path=".waveflow/report.html")   # the latest run
"""
from __future__ import annotations

from pathlib import Path

from ..local.journal import Journal
from .journal_source import ReportError, read_run, report_of
from .model import Report
from .page import render

__all__ = ["DEFAULT_PATH", "Report", "ReportError", "load_report", "render", "write_report"]

#: Where ``waveflow report`` and ``waveflow run --report`` write the page unless told otherwise.
DEFAULT_PATH = Path(".waveflow") / "report.html"


def load_report(journal: Journal, run_id: int | None = None) -> Report:
    """The report of run ``run_id`` (default: the latest) of an open journal."""
    return report_of(read_run(journal, run_id))


def write_report(journal_path: str | Path, run_id: int | None, path: str | Path) -> int:
    """Draw run ``run_id`` (default: the latest) of the journal at ``journal_path`` into ``path``; the page's size
    in bytes. ``ReportError`` when there is no journal there, or nothing to report."""
    journal_path, path = Path(journal_path), Path(path)
    if not journal_path.is_file():
        raise ReportError(f"no journal at {journal_path}: `waveflow run` keeps its runs there")
    journal = Journal(journal_path)
    try:
        page = render(load_report(journal, run_id)).encode("utf-8")
    finally:
        journal.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page)
    return len(page)
