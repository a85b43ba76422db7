"""``waveflow run``: a whole migration wave through the local twin of the deployed stack (``waveflow.run``).

A thin shell over :func:`waveflow.run.runner.run_wave`: options in, the summary out — as text, or with ``--json``
as the summary contract alone on stdout. Progress is drawn on stderr while it runs; the functions' own output
goes to the run's log. Exit 0 when the run completed (failed migrations are results), 2 for bad input (an option,
the wave file, a fault profile, a broken workflow; nothing is sent), 1 when the run itself broke.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from ..local.journal import DEFAULT_PATH
from .options import EXIT_FAILED, InvalidInvocation, output_kept_clean


@click.command("run")
@click.option("--wave", "wave", type=click.Path(path_type=Path), default=None,
              help="The wave file: waveflow's CSV, a Cloud Migration Factory intake form, or a JSON list of requests.")
@click.option("--servers", type=int, default=None, help="Generate a seeded, realistic wave of N servers instead.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seeds everything drawn at random: the same seed gives the same summary.")
@click.option("--faults", default="none", show_default=True,
              help="A fault profile (none, flaky-mgn, stalls, bad-launches, bad-requests, chaos) or a JSON file.")
@click.option("--rate", type=float, default=120.0, show_default=True, help="Requests sent per minute, at most.")
@click.option("--concurrency", type=int, default=None,
              help="Migrations of a wave running at once (the wave's maxConcurrency; default: the stack's).")
@click.option("--approval", type=click.Choice(["auto", "reject", "timeout"]), default="auto", show_default=True,
              help="How the wave's cutover approval is answered: approved after a seeded delay, rejected, or never.")
@click.option("--send-invalid", is_flag=True,
              help="Send rows that fail the checks anyway (they must end in the DLQ with their reasons).")
@click.option("--report", type=click.Path(path_type=Path), default=Path(".waveflow") / "report.html",
              show_default=True, help="Where the HTML report of the run is written.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary, as JSON, on stdout.")
@click.option("--journal", "journal_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="SQLite journal the run's executions and results are kept in.")
def run_command(wave, servers, seed, faults, rate, concurrency, approval, send_invalid, report, as_json,
                journal_path):
    """Run a whole migration wave through the local twin of the deployed stack, on a virtual clock."""
    from ..local.twin.botocore_models import read_once

    with read_once():  # these imports make botocore sessions of their own (moto's EC2 regions, X-Ray's clients)
        from ..compile import BuildError
        from ..run.environment import settled_heap
        from ..run.intake import WaveFileError
        from ..run.options import RunInputError, RunOptions
        from ..run.render import print_summary
        from ..run.runner import run_wave

    options = RunOptions(wave=wave, servers=servers, seed=seed, faults=faults, rate=rate, concurrency=concurrency,
                         approval=approval, send_invalid=send_invalid, report=report, journal=journal_path)
    errors = Console(stderr=True)
    with settled_heap():  # the run's and the report's: see settled_heap
        with output_kept_clean() as stdout:
            try:
                result = run_wave(options, console=errors)
            except (RunInputError, WaveFileError) as exc:
                raise InvalidInvocation(str(exc)) from None
            except BuildError as exc:
                raise InvalidInvocation(exc.report()) from None
            except Exception as exc:  # the run itself broke: say what, where the log is, and exit 1
                errors.print(f"[red]waveflow run broke[/red]: {type(exc).__name__}: {exc}")
                raise SystemExit(EXIT_FAILED) from exc
        written = _report(result, report)
    if as_json:
        click.echo(json.dumps(result.summary, indent=2), file=stdout)
        return
    console = Console(file=stdout, width=None if stdout.isatty() else 132)  # a file or pipe gets whole lines
    print_summary(console, result)
    console.print(f"  journal: {result.journal} (waveflow executions, waveflow history NAME), functions' log: "
                  f"{result.log}")
    console.print(f"  report: {written}")


def _report(result, path: Path) -> str:
    """Draw the run's HTML report from the journal; a report that cannot be written does not undo the run."""
    from ..report import ReportError, write_report

    try:
        size = write_report(result.journal, result.run_id, path)
    except (ReportError, OSError) as exc:
        Console(stderr=True).print(f"[yellow]the report was not written[/yellow]: {exc}; "
                                   f"`waveflow report {result.run_id} --out PATH` draws it from the journal")
        return f"not written (`waveflow report {result.run_id}` draws it)"
    return f"{path} ({size:,} bytes; `waveflow report {result.run_id}` draws it again)"
