"""``waveflow report``: the HTML report of a run, drawn again from the journal (``waveflow.report``).

Exit codes: 0 written; 2 nothing to draw (no journal, no such run, a run that did not finish, a journal of another
format) or the page cannot be written.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..local.journal import JournalError
from ..report import DEFAULT_PATH, ReportError, write_report
from .options import InvalidInvocation, journal_option


@click.command("report")
@click.argument("run", required=False, type=click.IntRange(min=1))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH, show_default=True,
              help="Where the HTML page is written.")
@journal_option
def report_command(run: int | None, out: Path, journal_path: Path):
    """Draw the report of RUN (a run's number, as `waveflow executions` shows it; default: the latest run)."""
    try:
        size = write_report(journal_path, run, out)
    except (ReportError, JournalError) as exc:
        raise InvalidInvocation(str(exc)) from None
    except OSError as exc:
        raise InvalidInvocation(f"Invalid value for --out: cannot write {out}: {exc.strerror}") from None
    click.echo(f"wrote {out} ({size:,} bytes)", err=True)
